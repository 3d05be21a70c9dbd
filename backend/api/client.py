"""/client/* and /embed.js: the storefront doors (public key, CORS for any origin)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, redirect, request
from markupsafe import escape

from backend.api.auth import require
from backend.api.context import account_id, runtime
from backend.api.errors import ApiError
from backend.api.openapi import register_paths
from backend.forms import service
from backend.forms.confirm import ConfirmError, confirm
from backend.forms.embed_asset import embed_asset, versioned_path
from backend.forms.popup_cap import get_popups_per_day
from backend.forms.schema import public_view
from backend.forms.submit import record_view, submit
from backend.ingest.geo import country_of

bp = Blueprint("client_api", __name__)
YEAR = 365 * 24 * 3600


@bp.after_request
def _cors(resp: Response) -> Response:
    # Any store's origin may call these doors; no cookies are involved (the key is public).
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    resp.headers["Access-Control-Allow-Headers"] = "Content-Type"
    resp.headers["Access-Control-Max-Age"] = "86400"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


def _payload() -> dict:
    # The script posts text/plain JSON (a "simple" request: no preflight); JSON works too.
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body


@bp.get("/embed.js")
@require("public")
def embed_js():
    resp = redirect(versioned_path() + "?" + request.query_string.decode("latin-1"), 302)
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


@bp.get("/embed/<version>.js")
def embed_versioned(version: str):
    asset = embed_asset()
    if version != asset.version:  # an old version: point at the current one, briefly cached
        resp = redirect(versioned_path() + "?" + request.query_string.decode("latin-1"), 302)
        resp.headers["Cache-Control"] = "public, max-age=300"
        return resp
    resp = Response(asset.body, mimetype="text/javascript")
    resp.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    resp.headers["ETag"] = asset.version
    return resp


@bp.get("/client/forms")
@require("public")
def live_forms():
    with runtime().db.session() as s:
        forms = [public_view(i, v, d) for i, v, d in service.live_forms(s, account_id())]
        cap = get_popups_per_day(s, account_id())
    resp = jsonify(
        {"country": country_of(request.remote_addr), "forms": forms, "popups_per_day": cap}
    )
    # Per visitor (it holds their country), so private; half a minute spares the database
    # a query on every page of a browsing session, and a publish still shows up quickly.
    resp.headers["Cache-Control"] = "private, max-age=30"
    return resp


@bp.post("/client/forms/<int:form_id>/submit")
@require("public")
def submit_form(form_id: int):
    body = _payload()
    # 429 RateLimited, 404 FormNotFound, 400 SubmissionInvalid (with `fields`) or
    # InvalidMessage, 503 ConfirmUnavailable: backend/api/errors.py answers each.
    out = submit(
        runtime(),
        account_id(),
        form_id,
        body,
        request.remote_addr,
        confirm_url=lambda token: f"{request.host_url}client/confirm/{token}",
    )
    return jsonify(
        {"status": "pending" if out.status == "pending" else "subscribed", "message": out.message}
    )


@bp.post("/client/forms/<int:form_id>/view")
@require("public")
def view_form(form_id: int):
    body = _payload()
    counted = record_view(
        runtime(), account_id(), form_id, body.get("visitor"), request.remote_addr
    )
    return jsonify({"ok": True, "counted": counted})


@bp.get("/client/confirm/<token>")
def confirm_subscription(token: str):
    try:
        list_name = confirm(runtime(), token)
    except ConfirmError as exc:
        return Response(_page("Link not valid", str(exc)), status=400, mimetype="text/html")
    return Response(
        _page("Subscription confirmed", f"You have joined {list_name}. Thank you!"),
        mimetype="text/html",
    )


def _page(title: str, text: str) -> str:
    return (
        f"<!doctype html><meta charset=utf-8><title>{escape(title)}</title>"
        f"<h1>{escape(title)}</h1><p>{escape(text)}</p>"
    )


_PUBLIC = [{"publicKey": []}]


def _op(summary: str, extra: dict | None = None) -> dict:
    return {
        "summary": summary,
        "security": _PUBLIC,
        "responses": {
            "200": {"description": "success"},
            **(extra or {}),
            "401": {"description": "bad public key"},
        },
    }


register_paths(
    {
        "/embed.js": {
            "get": _op(
                "The storefront script: redirects to its versioned, year-cached URL",
                {"302": {"description": "to /embed/<v>.js"}},
            )
        },
        "/embed/<version>.js": {
            "get": {
                "summary": "The storefront script, immutable",
                "security": [],
                "responses": {"200": {"description": "JS"}},
            }
        },
        "/client/forms": {
            "get": _op("The account's live forms, the visitor's country and the popup cap")
        },
        "/client/forms/<int:form_id>/submit": {
            "post": _op(
                'Submit a form: body {"fields": {name: value}, "visitor": anonymousId}; CORS',
                {
                    "400": {"description": "`fields` names each invalid field"},
                    "404": {"description": "no such live form"},
                    "429": {"description": "too many submissions from this address"},
                },
            )
        },
        "/client/forms/<int:form_id>/view": {"post": _op("Count a display: a Viewed Form event")},
        "/client/confirm/<token>": {
            "get": {
                "summary": "Double opt-in: the signed link of the confirmation e-mail (HTML page)",
                "security": [],
                "responses": {
                    "200": {"description": "confirmed"},
                    "400": {"description": "expired or invalid link"},
                },
            }
        },
    }
)
