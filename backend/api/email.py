"""The public doors of every marketing e-mail (no login: the signed token is the key):
/e/o (the tracking image), /e/c (tracked links), /e/u (unsubscribe, RFC 8058 one-click
POST and a page that asks first), /e/s (confirming a new subscription). Pages are plain
HTML that works without JavaScript (docs/email.md)."""

from __future__ import annotations

import time

import orjson
from flask import Blueprint, Response, jsonify, redirect, render_template, request

from backend.api.auth import require
from backend.api.context import account_id, runtime
from backend.api.openapi import register_paths
from backend.email import tracking
from backend.email.tokens import BadToken
from backend.errors import Invalid, NotFound
from backend.store.models import Account

bp = Blueprint("email_public", __name__, url_prefix="/e", template_folder="templates")

# The smallest transparent GIF.
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)
NO_STORE = {"Cache-Control": "no-store, private", "X-Robots-Tag": "noindex"}
CONSENT_HOURS = 48


def _signer():
    return tracking.signer_for(runtime().settings.require_secret())


def _emit_later() -> tuple[list, callable]:
    pending: list = []
    return pending, lambda account, msgs: pending.append((account, msgs))


def _flush(pending: list) -> None:
    from backend.ingest import ingestor

    ing = ingestor(runtime())
    for account, msgs in pending:
        ing.accept(account, msgs)


def _record(account: str, msg: dict) -> None:
    """Through /v1's own path (validation, the counting summary, the durable spool), as a
    /v1/track body. No client address: a mail proxy's would misplace the person."""
    from backend.ingest import ingestor

    ingestor(runtime()).accept_body(account, "track", orjson.dumps(msg), None)


def _page(template: str, status: int = 200, **values):
    return Response(
        render_template(template, **values), status, headers=NO_STORE, mimetype="text/html"
    )


@bp.errorhandler(BadToken)
@bp.errorhandler(NotFound)
def _not_ours(exc):
    # Whatever is wrong with it, a link Tally did not sign leads nowhere and changes nothing.
    if request.path.startswith("/e/o/"):
        return Response(status=404, headers=NO_STORE)
    return _page(
        "email/message.html",
        404,
        title="This link does not work",
        text="It is not a link Tally sent, or it was changed on the way. Nothing was changed.",
    )


@bp.errorhandler(Invalid)
def _refused(exc: Invalid):
    return _page("email/message.html", 400, title="Nothing was changed", text=exc.message)


@bp.get("/o/<token>.gif")
def opened(token: str):
    touch = tracking.read_touch(_signer(), token)
    ident = touch.identity or _lookup(touch)
    _record(touch.account_id, tracking.open_event(ident, touch, _agent()))
    return Response(PIXEL, mimetype="image/gif", headers=NO_STORE)


@bp.get("/c/<token>/<sig>")
def clicked(token: str, sig: str):
    url = request.args.get("u", "")
    touch = tracking.click_target(_signer(), token, sig, url)
    ident = touch.identity or _lookup(touch)
    _record(touch.account_id, tracking.click_event(ident, touch, url, _agent()))
    resp = redirect(url, 302)
    resp.headers.update(NO_STORE)
    return resp


def _lookup(touch: tracking.Touch) -> dict:
    with runtime().db.session() as s:
        return tracking.identity_of(s, touch.account_id, touch.profile_id)


def _agent() -> str:
    return request.headers.get("User-Agent", "")[:300]


@bp.get("/u/<token>")
def unsubscribe_page(token: str):
    """Asks first: a GET alone never unsubscribes (mail scanners follow links)."""
    u = tracking.read_unsubscribe(_signer(), token)
    with runtime().db.session() as s:
        profile = tracking.recipient(s, u)
        values = _who(s, u, profile)
        values["status_suppressed"] = profile.email_status == "unsubscribed"
    return _page("email/unsubscribe.html", **values)


@bp.post("/u/<token>")
def unsubscribe(token: str):
    u = tracking.read_unsubscribe(_signer(), token)
    one_click = request.form.get("List-Unsubscribe") == "One-Click"
    scope = request.form.get("scope", "")
    if not one_click and scope not in ("all", "list"):
        raise Invalid(problems=["List-Unsubscribe: send List-Unsubscribe=One-Click"])
    pending, emit = _emit_later()
    with runtime().db.session() as s:
        if scope == "list" and u.list_name:
            tracking.leave_list(s, u)
        else:
            scope = "all"
            how = "one-click (RFC 8058)" if one_click else "unsubscribe page"
            tracking.unsubscribe(s, u, emit, how)
        values = _who(s, u, tracking.recipient(s, u))
    _flush(pending)
    if one_click:
        return Response("unsubscribed\n", 200, mimetype="text/plain", headers=NO_STORE)
    return _page(
        "email/unsubscribed.html",
        scope=scope,
        resubscribe_url=f"/e/u/{token}/resubscribe",
        **values,
    )


@bp.post("/u/<token>/resubscribe")
def resubscribe(token: str):
    """A new, explicit consent: the box ticked here, then the link of a confirmation
    e-mail (double opt-in), so nobody can subscribe someone else's address."""
    u = tracking.read_unsubscribe(_signer(), token)
    if request.form.get("consent") != "yes":
        raise Invalid(problems=["consent: tick the box to subscribe again"])
    with runtime().db.session() as s:
        profile = tracking.recipient(s, u)
        values = _who(s, u, profile)
        email, pid = profile.email, profile.id
    consent = _signer().consent_token(
        {"a": u.account_id, "p": pid, "x": int(time.time()) + CONSENT_HOURS * 3600}
    )
    link = f"{runtime().settings.public_url}/e/s/{consent}"
    from backend.flows.mailer import Mailer

    Mailer(runtime().settings.smtp_url).send(
        email,
        f"Confirm: e-mail from {values['account_name']}",
        f"Someone (we hope you) asked to get marketing e-mail from {values['account_name']} "
        f"again at {email}.\n\nTo confirm, open this link within {CONSENT_HOURS} hours:\n"
        f"{link}\n\nIf it was not you, ignore this message: nothing changes.\n",
    )
    return _page(
        "email/message.html",
        ok=True,
        title="Check your inbox",
        text=f"We sent a message to {email}. Its link subscribes you again.",
        **values,
    )


@bp.route("/s/<token>", methods=["GET", "POST"])
def confirm_subscription(token: str):
    p = _signer().read_consent(token)
    account, pid, expires = p.get("a"), p.get("p"), p.get("x")
    if not (isinstance(account, str) and isinstance(pid, int) and isinstance(expires, int)):
        raise BadToken("confirmation token")
    if expires < time.time():
        raise BadToken("confirmation token")
    u = tracking.Unsubscribe(account, pid, {}, None)
    with runtime().db.session() as s:
        profile = tracking.recipient(s, u)
        values = _who(s, u, profile)
        if request.method == "GET":  # a scanner's GET confirms nothing
            return _page(
                "email/message.html",
                title="Confirm your subscription",
                text=f"Get marketing e-mail from {values['account_name']} at {profile.email}.",
                confirm_label="Confirm",
                **values,
            )
        from backend.email.suppression import set_status

        if profile.email_status in ("bounced", "complained"):
            raise Invalid(problems=["email_status: this address cannot be subscribed here"])
        set_status(s, profile, "subscribed", "resubscribed: double opt-in confirmed", None)
    return _page(
        "email/message.html",
        ok=True,
        title="You are subscribed",
        text=f"{values['email']} gets marketing e-mail from {values['account_name']} again.",
        **values,
    )


def _who(s, u: tracking.Unsubscribe, profile) -> dict:
    account = s.get(Account, u.account_id)
    return {
        "email": profile.email,
        "account_name": account.name if account else "",
        "list_name": u.list_name,
    }


_TOKEN = {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}
_PUBLIC = {"security": [], "tags": ["e-mail links"]}
register_paths(
    {
        "/e/o/<token>.gif": {
            "get": {
                **_PUBLIC,
                "summary": "Tracking image of a marketing e-mail: records Opened Email",
                "parameters": [_TOKEN],
                "responses": {
                    "200": {"description": "a 1x1 GIF"},
                    "404": {"description": "not a token Tally signed"},
                },
            }
        },
        "/e/c/<token>/<sig>": {
            "get": {
                **_PUBLIC,
                "summary": "Tracked link: records Clicked Email, 302 to the exact signed URL",
                "parameters": [
                    _TOKEN,
                    {"name": "sig", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "u", "in": "query", "required": True, "schema": {"type": "string"}},
                ],
                "responses": {
                    "302": {"description": "to the original URL"},
                    "404": {"description": "a link Tally did not sign"},
                },
            }
        },
        "/e/u/<token>": {
            "get": {
                **_PUBLIC,
                "summary": "Unsubscribe page: asks to confirm; a GET never unsubscribes",
                "parameters": [_TOKEN],
                "responses": {
                    "200": {"description": "HTML page"},
                    "404": {"description": "tampered or unknown token"},
                },
            },
            "post": {
                **_PUBLIC,
                "summary": "Unsubscribe: List-Unsubscribe=One-Click (RFC 8058), or the page's form (scope=all|list)",
                "parameters": [_TOKEN],
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "List-Unsubscribe": {"type": "string", "enum": ["One-Click"]},
                                    "scope": {"type": "string", "enum": ["all", "list"]},
                                },
                            }
                        }
                    }
                },
                "responses": {
                    "200": {"description": "unsubscribed (again: no change)"},
                    "400": {"description": "neither form field"},
                    "404": {"description": "tampered or unknown token"},
                },
            },
        },
        "/e/u/<token>/resubscribe": {
            "post": {
                **_PUBLIC,
                "summary": "Subscribe again: needs consent=yes; sends a confirmation e-mail",
                "parameters": [_TOKEN],
                "responses": {
                    "200": {"description": "HTML page"},
                    "400": {"description": "no consent"},
                },
            }
        },
        "/e/s/<token>": {
            "get": {
                **_PUBLIC,
                "summary": "Confirm a subscription: the page",
                "parameters": [_TOKEN],
                "responses": {"200": {"description": "HTML page"}},
            },
            "post": {
                **_PUBLIC,
                "summary": "Confirm a subscription: subscribes",
                "parameters": [_TOKEN],
                "responses": {
                    "200": {"description": "HTML page"},
                    "404": {"description": "expired or tampered"},
                },
            },
        },
    }
)


# -- /api: the numbers of flows' e-mails (private key) ---------------------------------
api_bp = Blueprint("email_api", __name__, url_prefix="/api")


@api_bp.get("/flows/<int:flow_id>/email")
@require("private")
def flow_email(flow_id: int):
    from backend.email.stats import flow_email_numbers
    from backend.flows import service

    with runtime().db.session() as s:
        flow = service.get(s, account_id(), flow_id)
        nodes = [n["id"] for n in flow.definition.get("nodes", []) if n.get("type") == "email"]
        found = flow_email_numbers(runtime(), s, account_id(), flow_id, nodes)
    return jsonify({"flow_id": flow_id, "days": 90, "nodes": found})


register_paths(
    {
        "/api/flows/<int:flow_id>/email": {
            "get": {
                "summary": "Each e-mail node's numbers over 90 days, with attributed revenue",
                "security": [{"bearer": []}],
                "parameters": [
                    {
                        "name": "flow_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {
                    "200": {"description": "numbers per node"},
                    "404": {"description": "no such flow"},
                },
            }
        }
    }
)
