"""Key checks: HTTP Basic write key for /v1, public key for /client, Bearer private key for /api."""

from __future__ import annotations

import base64
import binascii
from functools import wraps

from flask import g, request

from backend.accounts.keys import key_account
from backend.api.context import runtime
from backend.api.errors import ApiError


def _basic_user() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.partition(":")[0] or None


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def _resolve(kind: str, raw: str | None, how: str) -> str:
    if not raw:
        raise ApiError(401, f"missing or malformed credentials: {how}")
    account = key_account(runtime().db.lookups, kind, raw)
    if account is None:
        raise ApiError(401, f"unknown or revoked {kind} key")
    return account


def write_key_account() -> str:
    """The account of the write key in HTTP Basic (user name = key, empty password)."""
    return _resolve("write", _basic_user(), "send the write key as the HTTP Basic user name")


def require(kind: str):
    """Decorator: authenticate the request's key of `kind` and set g.tally_account_id."""

    def deco(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if kind == "private":
                raw = _bearer()
                how = "send 'Authorization: Bearer <private key>'"
            elif kind == "public":
                raw = request.args.get("key")
                how = "add ?key=<public key> to the URL"
            else:
                raw = _basic_user()
                how = "send the write key as the HTTP Basic user name"
            g.tally_account_id = _resolve(kind, raw, how)
            return view(*args, **kwargs)

        return wrapper

    return deco
