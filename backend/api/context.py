"""Request-side access to the Runtime and to the authenticated account."""

from __future__ import annotations

from flask import current_app, g

from backend.runtime import Runtime


def runtime() -> Runtime:
    return current_app.extensions["tally"]


def account_id() -> str:
    """The account the request's key belongs to (set by the auth decorators)."""
    return g.tally_account_id
