"""/api/forms: form definitions (docs/api.md shape), versions, publish and unpublish, numbers."""

from __future__ import annotations

from flask import Blueprint, jsonify

from backend.api.admin import json_body
from backend.api.auth import require
from backend.api.context import account_id, runtime
from backend.api.openapi import register_paths
from backend.forms import service, stats

bp = Blueprint("forms_api", __name__, url_prefix="/api/forms")


@bp.get("")
@require("private")
def list_forms():
    with runtime().db.session() as s:
        return jsonify({"forms": [service.to_json(f) for f in service.list_forms(s, account_id())]})


@bp.post("")
@require("private")
def create_form():
    body = json_body()
    with runtime().db.session() as s:
        return jsonify(service.to_json(service.create(s, account_id(), body))), 201


@bp.get("/<int:form_id>")
@require("private")
def get_form(form_id: int):
    with runtime().db.session() as s:
        return jsonify(service.to_json(service.get(s, account_id(), form_id)))


@bp.put("/<int:form_id>")
@require("private")
def put_form(form_id: int):
    body = json_body()
    with runtime().db.session() as s:
        return jsonify(service.to_json(service.update(s, account_id(), form_id, body)))


@bp.delete("/<int:form_id>")
@require("private")
def delete_form(form_id: int):
    with runtime().db.session() as s:
        service.delete(s, account_id(), form_id)
    return "", 204


@bp.post("/<int:form_id>/publish")
@require("private")
def publish(form_id: int):
    with runtime().db.session() as s:
        return jsonify(service.to_json(service.publish(s, account_id(), form_id)))


@bp.post("/<int:form_id>/unpublish")
@require("private")
def unpublish(form_id: int):
    with runtime().db.session() as s:
        return jsonify(service.to_json(service.unpublish(s, account_id(), form_id)))


@bp.post("/<int:form_id>/duplicate")
@require("private")
def duplicate(form_id: int):
    with runtime().db.session() as s:
        return jsonify(service.to_json(service.duplicate(s, account_id(), form_id))), 201


@bp.get("/<int:form_id>/versions")
@require("private")
def versions(form_id: int):
    with runtime().db.session() as s:
        return jsonify({"versions": service.versions(s, account_id(), form_id)})


@bp.get("/<int:form_id>/stats")
@require("private")
def form_stats(form_id: int):
    rt = runtime()
    with rt.db.session() as s:
        service.get(s, account_id(), form_id)  # 404 for another account's form
        return jsonify(stats.form_numbers(rt, s, account_id())[form_id])


def _op(summary: str, ok: str = "200") -> dict:
    err = {
        "description": "error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    return {
        "summary": summary,
        "security": [{"bearer": []}],
        "responses": {
            ok: {"description": "success"},
            "400": {**err, "description": "invalid: `problems` name each field"},
            "401": err,
            "404": err,
        },
    }


register_paths(
    {
        "/api/forms": {
            "get": _op("List forms with status and versions"),
            "post": _op("Create a form (a draft) from a definition", "201"),
        },
        "/api/forms/<int:form_id>": {
            "get": _op("A form: its draft definition, status, versions"),
            "put": _op("Save the draft: a new version (the live version is unchanged)"),
            "delete": _op("Delete a form", "204"),
        },
        "/api/forms/<int:form_id>/publish": {"post": _op("Make the current draft version live")},
        "/api/forms/<int:form_id>/unpublish": {"post": _op("Take the form off storefronts")},
        "/api/forms/<int:form_id>/duplicate": {"post": _op("Copy a form as a new draft", "201")},
        "/api/forms/<int:form_id>/versions": {"get": _op("Saved versions, newest first")},
        "/api/forms/<int:form_id>/stats": {
            "get": _op("Views, submissions and conversion rate from the counters")
        },
    }
)
