"""What a page callback needs from the request: the Runtime and the logged-in account."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

from backend.runtime import Runtime


def runtime() -> Runtime:
    return current_app.extensions["tally"]


def account_id() -> str:
    return current_user.account_id


def account_name() -> str:
    return current_user.account_name if current_user.is_authenticated else ""
