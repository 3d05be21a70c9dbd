"""/api/campaigns: campaign definitions (docs/api.md, "Campaigns"), send now or at a time,
cancel, pause, resume, the live recipient count, a preview, a test send, and the report."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from backend.api.admin import json_body
from backend.api.auth import require
from backend.api.context import account_id, runtime
from backend.api.errors import ApiError
from backend.api.openapi import register_paths
from backend.campaigns import export, preview, report, service
from backend.errors import Invalid
from backend.store.db import utcnow

bp = Blueprint("campaigns_api", __name__, url_prefix="/api/campaigns")


def _run(fn):
    with runtime().db.session() as s:
        return fn(s, account_id())


@bp.get("")
@require("private")
def list_campaigns():
    return jsonify(
        {
            "campaigns": _run(
                lambda s, a: [service.to_json(s, c) for c in service.list_campaigns(s, a)]
            )
        }
    )


@bp.post("")
@require("private")
def create_campaign():
    body = json_body()
    return jsonify(_run(lambda s, a: service.to_json(s, service.create(s, a, body)))), 201


@bp.get("/<int:campaign_id>")
@require("private")
def get_campaign(campaign_id: int):
    return jsonify(_run(lambda s, a: service.to_json(s, service.get(s, a, campaign_id))))


@bp.put("/<int:campaign_id>")
@require("private")
def put_campaign(campaign_id: int):
    body = json_body()
    return jsonify(_run(lambda s, a: service.to_json(s, service.update(s, a, campaign_id, body))))


@bp.delete("/<int:campaign_id>")
@require("private")
def delete_campaign(campaign_id: int):
    _run(lambda s, a: service.delete(s, a, campaign_id))
    return "", 204


@bp.post("/<int:campaign_id>/send")
@require("private")
def send(campaign_id: int):
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict):
        body = json_body()  # refuses with the usual message
    now = utcnow()
    return jsonify(
        _run(lambda s, a: service.to_json(s, service.send(s, a, campaign_id, body, now)))
    )


def _state_change(fn):
    def view(campaign_id: int):
        return jsonify(_run(lambda s, a: service.to_json(s, fn(s, a, campaign_id))))

    view.__name__ = fn.__name__
    return require("private")(view)


bp.post("/<int:campaign_id>/cancel")(_state_change(service.cancel))
bp.post("/<int:campaign_id>/pause")(_state_change(service.pause))
bp.post("/<int:campaign_id>/resume")(_state_change(service.resume))


@bp.post("/count")
@require("private")
def count():
    body = json_body()
    return jsonify(_run(lambda s, a: service.recipient_count(s, a, body, utcnow())))


@bp.post("/preview")
@require("private")
def preview_email():
    body = json_body()
    return jsonify(_run(lambda s, a: preview.preview(s, a, body, runtime().settings)))


@bp.post("/test")
@require("private")
def send_test():
    body = json_body()
    return jsonify(_run(lambda s, a: preview.send_test(s, a, body, runtime().settings)))


@bp.get("/<int:campaign_id>/report")
@require("private")
def get_report(campaign_id: int):
    return jsonify(_run(lambda s, a: report.report(s, service.get(s, a, campaign_id), utcnow())))


@bp.get("/<int:campaign_id>/export")
@require("private")
def export_report(campaign_id: int):
    return _export(campaign_id, account_id())


# The console's export links: the same export for the logged-in user (no key in a browser).
web_bp = Blueprint("campaigns_web", __name__)


@web_bp.get("/campaigns/<int:campaign_id>/export")
def export_for_console(campaign_id: int):
    from flask_login import current_user

    if not current_user.is_authenticated:
        raise ApiError(401, "log in to export")
    return _export(campaign_id, current_user.account_id)


def _export(campaign_id: int, account: str) -> Response:
    fmt = request.args.get("format", "csv")
    if fmt not in export.FORMATS:
        raise Invalid(problems=[f"format: one of {', '.join(export.FORMATS)}"])
    with runtime().db.session() as s:
        c = service.get(s, account, campaign_id)
        body = export.export(c, report.report(s, c, utcnow()), fmt)
        name = export.filename(c, fmt)
    return Response(
        body,
        content_type=export.FORMATS[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _op(summary: str, ok: str = "200", extra: dict | None = None) -> dict:
    return {
        "summary": summary,
        "security": [{"bearer": []}],
        "responses": {
            ok: {"description": "success"},
            "400": {"description": "invalid: names the field"},
            "401": {"description": "bad key"},
            "404": {"description": "no such campaign, or another account's list or segment"},
            **(extra or {}),
        },
    }


_CONFLICT = {"409": {"description": "the campaign's state refuses it (sent, sending, ...)"}}

register_paths(
    {
        "/api/campaigns": {
            "get": _op("List campaigns with status and stats"),
            "post": _op("Create a campaign (a draft)", "201"),
        },
        "/api/campaigns/<int:campaign_id>": {
            "get": _op("A campaign with status and stats"),
            "put": _op("Edit a draft", extra=_CONFLICT),
            "delete": _op("Delete a campaign that is not sending", "204", _CONFLICT),
        },
        "/api/campaigns/<int:campaign_id>/send": {
            "post": _op("Send now ({}) or schedule ({send_at: ISO})", extra=_CONFLICT)
        },
        "/api/campaigns/<int:campaign_id>/cancel": {
            "post": _op("Cancel a scheduled or sending campaign", extra=_CONFLICT)
        },
        "/api/campaigns/<int:campaign_id>/pause": {
            "post": _op("Pause a sending campaign", extra=_CONFLICT)
        },
        "/api/campaigns/<int:campaign_id>/resume": {
            "post": _op("Resume a paused campaign", extra=_CONFLICT)
        },
        "/api/campaigns/<int:campaign_id>/report": {
            "get": _op("Progress, per-variant numbers, links, revenue and opens over time")
        },
        "/api/campaigns/<int:campaign_id>/export": {
            "get": _op("The report as CSV (?format=csv) or PDF (?format=pdf)")
        },
        "/api/campaigns/count": {"post": _op("Recipients an audience would have now")},
        "/api/campaigns/preview": {"post": _op("Subject and bodies rendered for a chosen profile")},
        "/api/campaigns/test": {"post": _op("Send a test of a definition to an address")},
    }
)
