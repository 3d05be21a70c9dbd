"""/api/dashboards: dashboard definitions as JSON (docs/api.md), kept as code if wished."""

from __future__ import annotations

from flask import Blueprint, jsonify

from backend.api.admin import json_body
from backend.api.auth import require
from backend.api.context import account_id, runtime
from backend.api.errors import ApiError
from backend.api.openapi import register_paths
from backend.dashboards import DashboardInvalid, DashboardNotFound, ranges, schema, service

bp = Blueprint("dashboards_api", __name__, url_prefix="/api/dashboards")


def _call(fn):
    """fn(session, account_id) in a transaction; service errors -> 400 / 404."""
    try:
        with runtime().db.session() as s:
            return fn(s, account_id())
    except DashboardInvalid as exc:
        raise ApiError(400, str(exc), field=exc.field) from None
    except DashboardNotFound as exc:
        raise ApiError(404, str(exc)) from None


@bp.get("")
@require("private")
def list_dashboards():
    return jsonify(
        {
            "dashboards": _call(
                lambda s, a: [service.to_json(d) for d in service.list_dashboards(s, a)]
            )
        }
    )


@bp.post("")
@require("private")
def create_dashboard():
    body = json_body()
    return jsonify(_call(lambda s, a: service.to_json(service.create(s, a, body)))), 201


@bp.get("/<int:dashboard_id>")
@require("private")
def get_dashboard(dashboard_id: int):
    return jsonify(_call(lambda s, a: service.to_json(service.get(s, a, dashboard_id))))


@bp.put("/<int:dashboard_id>")
@require("private")
def put_dashboard(dashboard_id: int):
    body = json_body()
    return jsonify(_call(lambda s, a: service.to_json(service.update(s, a, dashboard_id, body))))


@bp.delete("/<int:dashboard_id>")
@require("private")
def delete_dashboard(dashboard_id: int):
    _call(lambda s, a: service.delete(s, a, dashboard_id))
    return "", 204


_RANGE = {
    "oneOf": [
        {"type": "string", "enum": list(ranges.PRESETS)},
        {
            "type": "object",
            "properties": {
                "start": {"type": "string", "format": "date"},
                "end": {"type": "string", "format": "date"},
            },
        },
    ]
}
DASHBOARD_SCHEMA = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string"},
        "filters": {
            "type": "object",
            "properties": {"range": _RANGE, "country": {"type": ["string", "null"]}},
        },
        "cards": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["metric"],
                "properties": {
                    "id": {"type": "string"},
                    "title": {"type": "string"},
                    "metric": {"type": "string"},
                    "measure": {"type": "string", "enum": list(schema.MEASURES)},
                    "chart": {"type": "string", "enum": list(schema.CHARTS)},
                    "interval": {"type": "string", "enum": list(schema.INTERVALS)},
                    "range": {"oneOf": [_RANGE, {"type": "null"}]},
                    "compare": {"type": "boolean"},
                    "by": {"type": ["string", "null"]},
                    "top": {"type": "integer"},
                    "country": {"type": ["string", "null"]},
                    "x": {"type": "integer"},
                    "y": {"type": "integer"},
                    "w": {"type": "integer"},
                    "h": {"type": "integer"},
                },
            },
        },
    },
}


def _op(summary: str, ok: str = "200", body: bool = False) -> dict:
    err = {
        "description": "error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    op = {
        "summary": summary,
        "security": [{"bearer": []}],
        "responses": {ok: {"description": "success"}, "400": err, "401": err, "404": err},
    }
    if body:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": DASHBOARD_SCHEMA}},
        }
    return op


register_paths(
    {
        "/api/dashboards": {
            "get": _op("The account's dashboards with their definitions"),
            "post": _op(
                "Create a dashboard from a JSON definition: {name, filters: {range, "
                "country}, cards: [{id, title, metric, measure, chart, interval, range, "
                "compare, by, top, country, x, y, w, h}]}; 400 names the bad field",
                "201",
                body=True,
            ),
        },
        "/api/dashboards/<int:dashboard_id>": {
            "get": _op("A dashboard's definition"),
            "put": _op("Replace a dashboard's definition (same shape as POST)", body=True),
            "delete": _op("Delete a dashboard", "204"),
        },
    }
)
