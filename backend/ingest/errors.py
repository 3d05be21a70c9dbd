"""Errors that reject a whole request before anything of it is spooled."""

from __future__ import annotations

from backend.errors import Invalid


class InvalidMessage(Invalid):
    """A message (or the request) is malformed; `where` names the offending field."""

    def __init__(self, where: str, problem: str):
        super().__init__(f"{where}: {problem}" if where else problem)
        self.where = where
        self.problem = problem


class TooLarge(InvalidMessage):
    """Over the per-message (32 KB) or per-request (500 KB) limit: HTTP 413."""

    status = 413


class SpoolUnavailable(Exception):
    """The spool could not durably take the request (disk full, I/O error): nothing of it is
    acknowledged, and the sender should retry later (HTTP 503)."""
