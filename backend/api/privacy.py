"""/api privacy requests (Bearer private key): a profile's data export, its erasure, and
the audit of both. The console's profile page calls the same backend/privacy functions."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import select

from backend.accounts.keys import hash_key
from backend.api.auth import require
from backend.api.context import account_id, runtime
from backend.api.openapi import register_paths
from backend.privacy import audit
from backend.privacy.erase import erase_profile
from backend.privacy.export import export_profile
from backend.store.models import ApiKey

bp = Blueprint("privacy_api", __name__, url_prefix="/api")


def _actor(s) -> audit.Actor:
    """The private key that authenticated this request (require() checked it): its id and
    label with its first characters, never the key."""
    raw = request.headers.get("Authorization", "").partition(" ")[2].strip()
    key = s.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(raw)))
    label = f"{key.label or 'private key'} ({key.prefix}…)" if key else "private key"
    return audit.Actor("api_key", str(key.id) if key else "", label)


@bp.get("/profiles/<int:profile_id>/export")
@require("private")
def export(profile_id: int):
    with runtime().db.session() as s:
        doc = export_profile(s, account_id(), profile_id, _actor(s))
    resp = jsonify(doc)
    resp.headers["Content-Disposition"] = f'attachment; filename="profile-{profile_id}.json"'
    return resp


@bp.delete("/profiles/<int:profile_id>")
@require("private")
def erase(profile_id: int):
    with runtime().db.session() as s:
        erase_profile(s, account_id(), profile_id, _actor(s))
    return "", 204


@bp.get("/audit")
@require("private")
def audit_log():
    limit = request.args.get("limit", "100")
    with runtime().db.session() as s:
        rows = audit.entries(s, account_id(), int(limit) if limit.isdigit() else audit.PAGE)
    return jsonify({"entries": rows})


def _op(summary: str, ok: str, ok_text: str, params: list | None = None) -> dict:
    err = {
        "description": "error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    return {
        "summary": summary,
        "security": [{"bearer": []}],
        "parameters": params or [],
        "responses": {ok: {"description": ok_text}, "401": err, "404": err},
    }


_PID = {"name": "profile_id", "in": "path", "required": True, "schema": {"type": "integer"}}

register_paths(
    {
        "/api/profiles/<int:profile_id>/export": {
            "get": _op(
                "Everything held on the person (profile, traits, aliases, events, list and "
                "segment memberships, e-mail status history, flow enrolments, campaign "
                "recipients, predictions, form submissions) as a JSON download; audited",
                "200",
                "the export document",
                [_PID],
            )
        },
        "/api/profiles/<int:profile_id>": {
            "delete": _op(
                "Erase the person: the profile and every row about it, in one transaction; "
                "the address is kept only as a hash that keeps it from marketing e-mail; "
                "audited (who, when, the profile's id)",
                "204",
                "erased",
                [_PID],
            )
        },
        "/api/audit": {
            "get": _op(
                "The account's privacy audit, newest first: exports and erasures with who "
                "(a console user or an API key), when and the profile's id",
                "200",
                '{"entries": [{"id", "action", "profile_id", "actor", "at", "detail"}]}',
                [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
            )
        },
    }
)
