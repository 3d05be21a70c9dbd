"""/api/flows: flow definitions (docs/api.md shape), versions, activate and pause, node stats."""

from __future__ import annotations

from flask import Blueprint, jsonify

from backend.api.admin import json_body
from backend.api.auth import require
from backend.api.context import account_id, runtime
from backend.api.openapi import register_paths
from backend.flows import service

bp = Blueprint("flows_api", __name__, url_prefix="/api/flows")


@bp.get("")
@require("private")
def list_flows():
    with runtime().db.session() as s:
        return jsonify({"flows": [service.to_json(f) for f in service.list_flows(s, account_id())]})


@bp.post("")
@require("private")
def create_flow():
    body = json_body()
    with runtime().db.session() as s:
        return jsonify(service.to_json(service.create(s, account_id(), body))), 201


@bp.get("/<int:flow_id>")
@require("private")
def get_flow(flow_id: int):
    with runtime().db.session() as s:
        return jsonify(service.to_json(service.get(s, account_id(), flow_id)))


@bp.put("/<int:flow_id>")
@require("private")
def put_flow(flow_id: int):
    body = json_body()
    with runtime().db.session() as s:
        return jsonify(service.to_json(service.update(s, account_id(), flow_id, body)))


@bp.delete("/<int:flow_id>")
@require("private")
def delete_flow(flow_id: int):
    with runtime().db.session() as s:
        service.delete(s, account_id(), flow_id)
    return "", 204


@bp.post("/<int:flow_id>/activate")
@require("private")
def activate(flow_id: int):
    with runtime().db.session() as s:
        return jsonify(service.to_json(service.activate(s, account_id(), flow_id)))


@bp.post("/<int:flow_id>/pause")
@require("private")
def pause(flow_id: int):
    with runtime().db.session() as s:
        return jsonify(service.to_json(service.pause(s, account_id(), flow_id)))


@bp.get("/<int:flow_id>/versions")
@require("private")
def versions(flow_id: int):
    with runtime().db.session() as s:
        return jsonify({"versions": service.versions(s, account_id(), flow_id)})


@bp.post("/<int:flow_id>/versions/<int:version>/restore")
@require("private")
def restore(flow_id: int, version: int):
    with runtime().db.session() as s:
        return jsonify(service.to_json(service.restore(s, account_id(), flow_id, version)))


@bp.get("/<int:flow_id>/stats")
@require("private")
def stats(flow_id: int):
    with runtime().db.session() as s:
        return jsonify(service.stats(s, account_id(), flow_id))


def _op(summary: str, ok: str = "200") -> dict:
    return {
        "summary": summary,
        "security": [{"bearer": []}],
        "responses": {
            ok: {"description": "success"},
            "400": {"description": "invalid: names the node"},
            "401": {"description": "bad key"},
            "404": {"description": "no such flow"},
        },
    }


register_paths(
    {
        "/api/flows": {"get": _op("List flows"), "post": _op("Create a flow (draft)", "201")},
        "/api/flows/<int:flow_id>": {
            "get": _op("A flow"),
            "put": _op("Save a flow: a new version"),
            "delete": _op("Delete a flow", "204"),
        },
        "/api/flows/<int:flow_id>/activate": {
            "post": _op("Go live; refused with the reasons if incomplete")
        },
        "/api/flows/<int:flow_id>/pause": {"post": _op("Pause a flow (waiting steps wait)")},
        "/api/flows/<int:flow_id>/versions": {"get": _op("Saved versions, newest first")},
        "/api/flows/<int:flow_id>/versions/<int:version>/restore": {
            "post": _op("Restore a version as a new one")
        },
        "/api/flows/<int:flow_id>/stats": {
            "get": _op("Per-node numbers: entered, outcomes, waiting")
        },
    }
)
