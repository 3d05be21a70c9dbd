"""/api/forms: form definitions (docs/api.md shape), versions, publish and unpublish, numbers."""

from __future__ import annotations

from flask import Blueprint, jsonify

from backend.api.admin import json_body
from backend.api.auth import require
from backend.api.context import account_id, runtime
from backend.api.errors import ApiError
from backend.api.openapi import register_paths
from backend.forms import service, stats
from backend.forms.schema import FormInvalid

bp = Blueprint("forms_api", __name__, url_prefix="/api/forms")


def _call(fn):
    """Run fn(session, account_id) in a transaction, mapping service errors to HTTP ones."""
    try:
        with runtime().db.session() as s:
            return fn(s, account_id())
    except FormInvalid as exc:
        raise ApiError(400, str(exc), problems=[p.as_dict() for p in exc.problems]) from None
    except service.FormNotFound as exc:
        raise ApiError(404, str(exc)) from None


@bp.get("")
@require("private")
def list_forms():
    return jsonify(
        {"forms": _call(lambda s, a: [service.to_json(f) for f in service.list_forms(s, a)])}
    )


@bp.post("")
@require("private")
def create_form():
    body = json_body()
    return jsonify(_call(lambda s, a: service.to_json(service.create(s, a, body)))), 201


@bp.get("/<int:form_id>")
@require("private")
def get_form(form_id: int):
    return jsonify(_call(lambda s, a: service.to_json(service.get(s, a, form_id))))


@bp.put("/<int:form_id>")
@require("private")
def put_form(form_id: int):
    body = json_body()
    return jsonify(_call(lambda s, a: service.to_json(service.update(s, a, form_id, body))))


@bp.delete("/<int:form_id>")
@require("private")
def delete_form(form_id: int):
    _call(lambda s, a: service.delete(s, a, form_id))
    return "", 204


@bp.post("/<int:form_id>/publish")
@require("private")
def publish(form_id: int):
    return jsonify(_call(lambda s, a: service.to_json(service.publish(s, a, form_id))))


@bp.post("/<int:form_id>/unpublish")
@require("private")
def unpublish(form_id: int):
    return jsonify(_call(lambda s, a: service.to_json(service.unpublish(s, a, form_id))))


@bp.post("/<int:form_id>/duplicate")
@require("private")
def duplicate(form_id: int):
    return jsonify(_call(lambda s, a: service.to_json(service.duplicate(s, a, form_id)))), 201


@bp.get("/<int:form_id>/versions")
@require("private")
def versions(form_id: int):
    return jsonify({"versions": _call(lambda s, a: service.versions(s, a, form_id))})


@bp.get("/<int:form_id>/stats")
@require("private")
def form_stats(form_id: int):
    rt = runtime()
    _call(lambda s, a: service.get(s, a, form_id))
    with rt.db.session() as s:
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
