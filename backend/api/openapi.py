"""The OpenAPI document at /api/openapi.json: every route of the API doors is described here."""

from __future__ import annotations

from flask import Blueprint, jsonify

bp = Blueprint("openapi", __name__)

_ERR = {
    "description": "error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_PRIVATE = [{"bearer": []}]


def _op(summary: str, ok: str = "200", security=_PRIVATE, **extra) -> dict:
    return {
        "summary": summary,
        "security": security,
        "responses": {ok: {"description": "success"}, "400": _ERR, "401": _ERR, "404": _ERR},
        **extra,
    }


# Paths keyed as Flask spells them (<int:id>) are converted to OpenAPI's {id} below.
PATHS: dict[str, dict] = {
    "/api/account": {"get": _op("The account of the key")},
    "/api/keys": {
        "get": _op("List the account's keys (masked)"),
        "post": _op("Create a key of kind write|public|private; its text is shown once", "201"),
    },
    "/api/keys/<int:key_id>": {"delete": _op("Revoke a key", "204")},
    "/api/keys/<int:key_id>/rotate": {"post": _op("Revoke a key and issue a new one", "201")},
    "/api/openapi.json": {
        "get": {
            "summary": "This document: every route of /api, /v1 and /client (docs/api.md)",
            "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1 JSON"}},
        }
    },
}


def register_paths(paths: dict[str, dict]) -> None:
    """Capabilities add their routes' documentation here when their blueprint loads; two
    modules may document different methods of one path (GET and DELETE of a profile)."""
    for path, ops in paths.items():
        PATHS.setdefault(path, {}).update(ops)


def _openapi_path(flask_path: str) -> str:
    import re

    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", flask_path)


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tally API", "version": "1"},
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "private key"},
                "basic": {"type": "http", "scheme": "basic", "description": "write key as user"},
                "publicKey": {"type": "apiKey", "in": "query", "name": "key"},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {"error": {"type": "string"}},
                    "required": ["error"],
                }
            },
        },
        "paths": {_openapi_path(p): ops for p, ops in sorted(PATHS.items())},
    }


@bp.get("/api/openapi.json")
def openapi_json():
    return jsonify(document())
