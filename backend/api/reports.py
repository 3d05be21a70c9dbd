"""Exports: GET /api/dashboards/<id>/export?format=png|pdf|csv|html (and one card's)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from backend.api.admin import json_body
from backend.api.auth import require
from backend.api.context import account_id, runtime
from backend.api.errors import ApiError
from backend.api.openapi import register_paths
from backend.counters import counter_store
from backend.dashboards import schema as dash_schema
from backend.errors import NotFound
from backend.reports import FORMATS, build_report, export, schedules

bp = Blueprint("reports_api", __name__, url_prefix="/api/dashboards")


def _overrides() -> dict:
    """The same date-range and country parameters the dashboard page uses."""
    raw: dict = {}
    start, end = request.args.get("start"), request.args.get("end")
    if start or end:
        raw["range"] = {"start": start, "end": end}
    elif request.args.get("range"):
        raw["range"] = request.args["range"]
    if request.args.get("country"):
        raw["country"] = request.args["country"]
    checked = dash_schema.filters(raw)
    return {k: checked[k] for k in raw}


def _report(dashboard_id: int, account: str | None = None):
    rt = runtime()
    overrides = _overrides()
    with rt.db.session() as s:
        return build_report(s, counter_store(rt), account or account_id(), dashboard_id, overrides)


def _send(body: bytes, fmt: str, name: str) -> Response:
    disposition = "inline" if request.args.get("inline") else "attachment"
    return Response(
        body,
        mimetype=FORMATS[fmt].split(";")[0],
        content_type=FORMATS[fmt],
        headers={
            "Content-Disposition": f'{disposition}; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/<int:dashboard_id>/export")
@require("private")
def export_dashboard(dashboard_id: int):
    return _export(dashboard_id, account_id())


# The console's Export menu: the same export, for the logged-in user (the login wall in
# login.py guards this path; there is no key in a browser session).
web_bp = Blueprint("reports_web", __name__)


@web_bp.get("/dashboards/<int:dashboard_id>/export")
def export_for_console(dashboard_id: int):
    from flask_login import current_user

    if not current_user.is_authenticated:
        raise ApiError(401, "log in to export")
    return _export(dashboard_id, current_user.account_id)


def _export(dashboard_id: int, account: str) -> Response:
    fmt = request.args.get("format", "pdf")
    if fmt not in export.DASHBOARD_FORMATS:
        raise ApiError(400, f"format must be one of {', '.join(export.DASHBOARD_FORMATS)}")
    report = _report(dashboard_id, account)
    body = export.dashboard(report, fmt, runtime().renderers["card_figure"])
    return _send(body, fmt, export.filename(report, fmt))


@bp.get("/<int:dashboard_id>/cards/<card_id>/export")
@require("private")
def export_card(dashboard_id: int, card_id: str):
    fmt = request.args.get("format", "png")
    if fmt not in export.CARD_FORMATS:
        raise ApiError(400, f"format must be one of {', '.join(export.CARD_FORMATS)}")
    report = _report(dashboard_id)
    if not any(c.card["id"] == card_id for c in report.cards):
        raise NotFound(f"no card {card_id!r} on dashboard {dashboard_id}")
    body = export.card(report, card_id, fmt, runtime().renderers["card_figure"])
    return _send(body, fmt, export.filename(report, fmt, f"-{card_id}"))


_Q = [
    {"name": n, "in": "query", "schema": {"type": "string"}}
    for n in ("format", "range", "start", "end", "country")
]
register_paths(
    {
        "/api/dashboards/<int:dashboard_id>/export": {
            "get": {
                "summary": "The dashboard as png (grid as laid out), pdf (report), csv (card, series, t, count, revenue) or html (offline, interactive)",
                "security": [{"bearer": []}],
                "parameters": _Q,
                "responses": {
                    "200": {"description": "the file"},
                    "400": {"description": "bad format or filter"},
                    "401": {"description": "bad key"},
                    "404": {"description": "no such dashboard"},
                },
            }
        },
        "/api/dashboards/<int:dashboard_id>/cards/<card_id>/export": {
            "get": {
                "summary": "One card as png, svg or csv",
                "security": [{"bearer": []}],
                "parameters": _Q,
                "responses": {
                    "200": {"description": "the file"},
                    "400": {"description": "bad format"},
                    "401": {"description": "bad key"},
                    "404": {"description": "no such dashboard or card"},
                },
            }
        },
    }
)


@bp.get("/<int:dashboard_id>/schedule")
@require("private")
def get_schedule(dashboard_id: int):
    with runtime().db.session() as s:
        sc = schedules.get(s, account_id(), dashboard_id)
        if sc is None:
            raise ApiError(404, f"dashboard {dashboard_id} has no e-mail schedule")
        return jsonify(schedules.to_json(sc))


@bp.put("/<int:dashboard_id>/schedule")
@require("private")
def put_schedule(dashboard_id: int):
    body = json_body()
    with runtime().db.session() as s:
        return jsonify(schedules.to_json(schedules.put(s, account_id(), dashboard_id, body)))


@bp.delete("/<int:dashboard_id>/schedule")
@require("private")
def delete_schedule(dashboard_id: int):
    with runtime().db.session() as s:
        found = schedules.delete(s, account_id(), dashboard_id)
    if not found:
        raise ApiError(404, f"dashboard {dashboard_id} has no e-mail schedule")
    return "", 204


def _sop(summary: str, ok: str = "200") -> dict:
    return {
        "summary": summary,
        "security": [{"bearer": []}],
        "responses": {
            ok: {"description": "success"},
            "400": {"description": "invalid, names the field"},
            "401": {"description": "bad key"},
            "404": {"description": "no such dashboard or schedule"},
        },
    }


register_paths(
    {
        "/api/dashboards/<int:dashboard_id>/schedule": {
            "get": _sop("The dashboard's report e-mail schedule"),
            "put": _sop(
                "Set it: {frequency: daily|weekly|monthly, hour: 0-23 in the account's time "
                "zone (answered as `timezone`), recipients: [e-mail]}"
            ),
            "delete": _sop("Stop the report e-mails", "204"),
        }
    }
)
