"""/api/account/dimensions: the event properties counted as dimensions (with country)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from backend.accounts.dimensions import get_dimensions, set_dimensions
from backend.api.admin import json_body
from backend.api.auth import require
from backend.api.context import account_id, runtime
from backend.api.openapi import register_paths

bp = Blueprint("dimensions_api", __name__, url_prefix="/api/account")


@bp.get("/dimensions")
@require("private")
def read():
    with runtime().db.session() as s:
        return jsonify({"dimensions": ["country", *get_dimensions(s, account_id())]})


@bp.put("/dimensions")
@require("private")
def write():
    body = json_body()
    names = (
        [n for n in body.get("dimensions", []) if n != "country"]
        if isinstance(body.get("dimensions"), list)
        else body.get("dimensions")
    )
    with runtime().db.session() as s:
        dims = set_dimensions(s, account_id(), names)
    return jsonify({"dimensions": ["country", *dims]})


_R = {"401": {"description": "bad key"}}
register_paths(
    {
        "/api/account/dimensions": {
            "get": {
                "summary": "Dimensions counted per metric: country and the account's event properties",
                "security": [{"bearer": []}],
                "responses": {"200": {"description": "the list"}, **_R},
            },
            "put": {
                "summary": "Set the event properties counted as dimensions (affects events from now on)",
                "security": [{"bearer": []}],
                "responses": {
                    "200": {"description": "the new list"},
                    "400": {"description": "names the bad entry"},
                    **_R,
                },
            },
        }
    }
)
