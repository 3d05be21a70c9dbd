"""Browser sessions for the Dash app: login, logout, CSRF, and the login wall.

Dash's renderer sends the `_csrf_token` cookie back as the `X-CSRFToken` header on every
callback; we check it against the token in the signed session (double submit), so a
cross-site page can never trigger a state-changing callback.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlparse

from flask import (
    Blueprint,
    Flask,
    jsonify,
    redirect,
    render_template,
    request,
    session,
)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from backend.accounts.users import RateLimited, verify_login
from backend.api.context import runtime
from backend.store.models import Account, User

bp = Blueprint("session", __name__, template_folder="templates")

CSRF_COOKIE = "_csrf_token"
CSRF_HEADER = "X-CSRFToken"
# Paths anyone may fetch: the API doors (own auth), login itself, and static bundles.
OPEN_PREFIXES = (
    "/api/", "/v1/", "/client/", "/embed", "/login", "/logout", "/assets/",
    "/_dash-component-suites/", "/_favicon.ico", "/healthz", "/static/",
)


class WebUser(UserMixin):
    def __init__(self, user_id: int, email: str, account_id: str, account_name: str):
        self.id = str(user_id)
        self.email = email
        self.account_id = account_id
        self.account_name = account_name


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths, so login cannot be used as an open redirect.
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@bp.get("/login")
def login_form():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    errors = {
        "invalid": "That e-mail and password do not match. Check them and try again.",
        "rate": "Too many failed attempts. Wait 15 minutes, then try again.",
        "csrf": "Your login form expired. Please try again.",
    }
    return render_template(
        "login.html",
        csrf=csrf_token(),
        error=errors.get(request.args.get("error", "")),
        next=_safe_next(request.args.get("next")),
        email=request.args.get("email", ""),
    ), (401 if request.args.get("error") else 200)


@bp.post("/login")
def login_submit():
    wants_json = request.is_json
    data = (request.get_json(silent=True) or {}) if wants_json else request.form
    email, password = data.get("email", ""), data.get("password", "")
    nxt = _safe_next(data.get("next"))
    if not wants_json and not hmac.compare_digest(str(data.get("csrf", "")), csrf_token()):
        return redirect(f"/login?error=csrf&next={nxt}")
    try:
        with runtime().db.session() as s:
            user = verify_login(s, email, password, ip=request.remote_addr or "?")
            web_user = _web_user(s, user) if user else None
    except RateLimited as exc:
        if wants_json:
            return jsonify({"error": str(exc)}), 429
        return redirect(f"/login?error=rate&next={nxt}"), 303
    if web_user is None:
        if wants_json:
            return jsonify({"error": "wrong e-mail or password"}), 401
        return redirect(f"/login?error=invalid&next={nxt}"), 303
    session.clear()  # a fresh session (and CSRF token) on every login: no fixation
    login_user(web_user)
    if wants_json:
        return jsonify({"ok": True, "account": web_user.account_id})
    return redirect(nxt, 303)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    logout_user()
    session.clear()
    return redirect("/login", 303)


def _web_user(s, user: User) -> WebUser:
    acc = s.get(Account, user.account_id)
    return WebUser(user.id, user.email, user.account_id, acc.name if acc else "")


def init_app(app: Flask) -> None:
    manager = LoginManager()
    manager.init_app(app)
    app.register_blueprint(bp)

    @manager.user_loader
    def _load(user_id: str):
        with runtime().db.session() as s:
            user = s.get(User, int(user_id)) if user_id.isdigit() else None
            return _web_user(s, user) if user else None

    @app.before_request
    def _wall():
        path = request.path
        if path.startswith(OPEN_PREFIXES):
            return None
        if not current_user.is_authenticated:
            if path.startswith("/_dash-"):
                return jsonify({"error": "not logged in: reload the page to log in"}), 401
            return redirect(f"/login?next={_safe_next(request.full_path.rstrip('?'))}")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            sent = request.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent, csrf_token()):
                return jsonify({"error": "CSRF check failed: reload the page"}), 403
        return None

    @app.after_request
    def _csrf_cookie(resp):
        if current_user.is_authenticated and not request.path.startswith(("/api/", "/v1/", "/client/")):
            token = csrf_token()
            if request.cookies.get(CSRF_COOKIE) != token:
                resp.set_cookie(CSRF_COOKIE, token, samesite="Strict", secure=request.is_secure)
        return resp
