"""Typed errors of the analytics queries, on backend.errors' bases (400 / 404 answers)."""

from __future__ import annotations

from backend import errors


class InvalidQuery(errors.Invalid):
    """A query parameter is wrong; `param` names it (e.g. "end", "interval", "tz")."""

    def __init__(self, param: str, problem: str):
        super().__init__(f"{param}: {problem}", param=param)
        self.param = param
        self.problem = problem


class NotFound(errors.NotFound):
    """The metric or profile does not exist in this account."""
