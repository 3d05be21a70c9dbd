"""/api/dashboards: dashboard definitions as JSON (docs/api.md), kept as code if wished."""

from __future__ import annotations

from flask import Blueprint, jsonify

from backend.api.admin import json_body
from backend.api.auth import require
from backend.api.context import account_id, runtime
from backend.api.openapi import register_paths
from backend.dashboards import ranges, schema, service

bp = Blueprint("dashboards_api", __name__, url_prefix="/api/dashboards")


@bp.get("")
@require("private")
def list_dashboards():
    with runtime().db.session() as s:
        found = service.list_dashboards(s, account_id())
        return jsonify({"dashboards": [service.to_json(d) for d in found]})


@bp.post("")
@require("private")
def create_dashboard():
    body = json_body()
    with runtime().db.session() as s:
        return jsonify(service.to_json(service.create(s, account_id(), body))), 201


@bp.get("/<int:dashboard_id>")
@require("private")
def get_dashboard(dashboard_id: int):
    with runtime().db.session() as s:
        return jsonify(service.to_json(service.get(s, account_id(), dashboard_id)))


@bp.put("/<int:dashboard_id>")
@require("private")
def put_dashboard(dashboard_id: int):
    body = json_body()
    with runtime().db.session() as s:
        return jsonify(service.to_json(service.update(s, account_id(), dashboard_id, body)))


@bp.delete("/<int:dashboard_id>")
@require("private")
def delete_dashboard(dashboard_id: int):
    with runtime().db.session() as s:
        service.delete(s, account_id(), dashboard_id)
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
                # metric: required but for the prediction charts (clv_distribution,
                # top_customers), which default it to "Placed Order"
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
                    "clv": {"type": "string", "enum": list(schema.CLV_CHOICES)},
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
