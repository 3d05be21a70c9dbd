"""Typed errors of the analytics queries; the API turns them into 400 / 404 answers."""

from __future__ import annotations


class InvalidQuery(ValueError):
    """A query parameter is wrong; `param` names it (e.g. "end", "interval", "tz")."""

    def __init__(self, param: str, problem: str):
        super().__init__(f"{param}: {problem}")
        self.param = param
        self.problem = problem


class NotFound(LookupError):
    """The metric or profile does not exist in this account."""
