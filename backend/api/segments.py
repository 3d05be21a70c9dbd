"""/api/segments: segment definitions (docs/api.md, "Segments"), members with a cursor, and
the builder's live preview."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from backend.api.admin import json_body
from backend.api.auth import require
from backend.api.context import account_id, runtime
from backend.api.openapi import register_paths
from backend.errors import Invalid
from backend.segments import service

bp = Blueprint("segments_api", __name__, url_prefix="/api/segments")


@bp.get("")
@require("private")
def list_segments():
    with runtime().db.session() as s:
        segs = [service.to_json(x) for x in service.list_segments(s, account_id())]
    return jsonify({"segments": segs})


@bp.post("")
@require("private")
def create_segment():
    body = json_body()
    with runtime().db.session() as s:
        out = service.to_json(service.create(s, account_id(), body))
    return jsonify(out), 201


@bp.post("/preview")
@require("private")
def preview():
    body = json_body()
    body.pop("name", None)  # a preview needs no name
    with runtime().db.session() as s:
        out = service.preview(s, account_id(), body)
    return jsonify({"count": out["count"]})


@bp.get("/<int:segment_id>")
@require("private")
def get_segment(segment_id: int):
    with runtime().db.session() as s:
        return jsonify(service.to_json(service.get_segment(s, account_id(), segment_id)))


@bp.put("/<int:segment_id>")
@require("private")
def put_segment(segment_id: int):
    body = json_body()
    with runtime().db.session() as s:
        return jsonify(service.to_json(service.update(s, account_id(), segment_id, body)))


@bp.delete("/<int:segment_id>")
@require("private")
def delete_segment(segment_id: int):
    with runtime().db.session() as s:
        service.delete(s, account_id(), segment_id)
    return "", 204


def _page_args() -> tuple[int, int | None]:
    problems = []
    limit_text = request.args.get("limit", "100")
    after_text = request.args.get("after")
    limit = int(limit_text) if limit_text.isdigit() else 0
    if not 1 <= limit <= service.MAX_PAGE:
        problems.append(f"limit: must be a whole number from 1 to {service.MAX_PAGE}")
    after = None
    if after_text is not None:
        if after_text.isdigit() and len(after_text) < 19:
            after = int(after_text)
        else:
            problems.append("after: must be the cursor from a previous page's next")
    if problems:
        raise Invalid(problems=problems)
    return limit, after


@bp.get("/<int:segment_id>/members")
@require("private")
def segment_members(segment_id: int):
    limit, after = _page_args()
    with runtime().db.session() as s:
        return jsonify(service.members_page(s, account_id(), segment_id, limit, after))


def _op(summary: str, ok: str = "200", extra: dict | None = None) -> dict:
    responses = {
        ok: {"description": "success"},
        "400": {"description": "invalid: each problem names its place"},
        "401": {"description": "bad key"},
        "404": {"description": "no such segment"},
    }
    responses.update(extra or {})
    return {"summary": summary, "security": [{"bearer": []}], "responses": responses}


register_paths(
    {
        "/api/segments": {
            "get": _op("List segments with their counts"),
            "post": _op("Create a segment; evaluated in full before the answer", "201"),
        },
        "/api/segments/preview": {"post": _op("Count the members of a definition not saved")},
        "/api/segments/<int:segment_id>": {
            "get": _op("A segment: its definition, count and when it was evaluated"),
            "put": _op("Save a segment's definition; evaluated in full again"),
            "delete": _op(
                "Delete a segment",
                "204",
                {"409": {"description": "in use by a flow, campaign or segment (named)"}},
            ),
        },
        "/api/segments/<int:segment_id>/members": {
            "get": _op("A page of members (limit, after=cursor); next is the following cursor")
        },
    }
)
