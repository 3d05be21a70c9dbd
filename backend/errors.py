"""The few kinds of error a backend service raises. backend/api maps each kind to one HTTP
answer (a Flask error handler per base class), so no view translates errors by hand.

- `NotFound`  -> 404: the thing does not exist in this account (or is another account's).
- `Invalid`   -> 400: the input is wrong; `problems` lists each one, with where it is.
- `Conflict`  -> 409: the request is fine, but the thing's state refuses it (in use, sent...).
"""

from __future__ import annotations

from typing import Any


class TallyError(Exception):
    """Base of every error the API turns into a JSON answer. `extra` goes into the body."""

    status = 500

    def __init__(self, message: str, **extra: Any):
        super().__init__(message)
        self.message = message
        self.extra = extra


class NotFound(TallyError, LookupError):
    status = 404


class Invalid(TallyError, ValueError):
    """`problems` is a list of strings or JSON objects, each naming its place ("field: ...")."""

    status = 400

    def __init__(self, message: str | None = None, problems: list | None = None, **extra: Any):
        problems = list(problems or [])
        if message is None:
            message = "; ".join(p if isinstance(p, str) else str(p) for p in problems)
        if problems:
            extra.setdefault("problems", problems)
        super().__init__(message, **extra)
        self.problems = problems


class Conflict(TallyError):
    status = 409
