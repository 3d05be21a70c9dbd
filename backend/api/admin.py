"""/api: the read/admin API, Bearer private key. Each view calls one backend function."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from backend.accounts import keys
from backend.api.auth import require
from backend.api.context import account_id, runtime
from backend.api.errors import ApiError
from backend.store.models import Account

bp = Blueprint("admin_api", __name__, url_prefix="/api")


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object (Content-Type: application/json)")
    return body


def _key_json(k: keys.KeyInfo) -> dict:
    return {
        "id": k.id,
        "kind": k.kind,
        "label": k.label,
        "masked": k.masked,
        "created_at": k.created_at.isoformat() + "Z",
        "revoked_at": k.revoked_at.isoformat() + "Z" if k.revoked_at else None,
    }


@bp.get("/account")
@require("private")
def get_account():
    with runtime().db.session() as s:
        acc = s.get(Account, account_id())
        return jsonify({"id": acc.id, "name": acc.name, "dimensions": acc.dimensions})


@bp.get("/keys")
@require("private")
def list_keys():
    with runtime().db.session() as s:
        return jsonify({"keys": [_key_json(k) for k in keys.list_keys(s, account_id())]})


@bp.post("/keys")
@require("private")
def create_key():
    body = json_body()
    kind = body.get("kind")
    if kind not in keys.KINDS:
        raise ApiError(400, f"'kind' must be one of {', '.join(keys.KINDS)}")
    with runtime().db.session() as s:
        raw = keys.create_key(s, account_id(), kind, body.get("label"))
        info = keys.list_keys(s, account_id())[-1]
    return jsonify({**_key_json(info), "key": raw}), 201


@bp.delete("/keys/<int:key_id>")
@require("private")
def revoke_key(key_id: int):
    with runtime().db.session() as s:
        keys.revoke_key(s, account_id(), key_id)
    return "", 204


@bp.post("/keys/<int:key_id>/rotate")
@require("private")
def rotate_key(key_id: int):
    with runtime().db.session() as s:
        raw = keys.rotate_key(s, account_id(), key_id)
        info = keys.list_keys(s, account_id())[-1]
    return jsonify({**_key_json(info), "key": raw}), 201
