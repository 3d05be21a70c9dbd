"""Browser sessions for the Dash app: login, logout, CSRF, and the login wall.

Dash's renderer sends the `_csrf_token` cookie back as the `X-CSRFToken` header on every
callback; we check it against the token in the signed session (double submit), so a
cross-site page can never trigger a state-changing callback.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlencode, urlparse

from flask import (
    Blueprint,
    Flask,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    session,
)
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map

from backend.accounts.users import RateLimited, verify_login
from backend.api.context import runtime
from backend.dashboards.service import landing
from backend.store.models import Account, User

bp = Blueprint("login", __name__, template_folder="templates")

CSRF_COOKIE = "_csrf_token"
CSRF_HEADER = "X-CSRFToken"
# What anyone may fetch: the API doors (own auth), login itself, health, static bundles.
OPEN_PATHS = frozenset({"/login", "/logout", "/healthz", "/embed.js", "/_favicon.ico"})
OPEN_PREFIXES = ("/api/", "/v1/", "/client/", "/embed/", "/assets/", "/_dash-component-suites/")
OPEN_PREFIXES += ("/e/",)  # e-mail links (backend/api/email.py): their signed token is the key
# Outside the login wall these answer JSON, because scripts and the Dash renderer call them.
NO_UI_PREFIXES = ("/api/", "/v1/", "/client/")
# E-mail links load no user either: opens and clicks are as hot as /v1 (bench/tracking.py).
NO_UI_PREFIXES += ("/e/",)

LOGIN_ERRORS = {
    "invalid": "That e-mail and password do not match. Check them and try again.",
    "rate": "Too many failed attempts. Wait 15 minutes, then try again.",
    "csrf": "Your login form expired. Please try again.",
}


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


def is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def _safe_next(target: object) -> str:
    """Only same-site absolute paths, so login can never be used as an open redirect."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return "/"
    # Browsers read "/\\host" as "//host" and drop tabs and newlines inside URLs.
    if "\\" in target or any(ord(c) < 33 or ord(c) == 127 for c in target):
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc:
        return "/"
    return target


def _login_page(error: str | None, status: int, email: str = "", nxt: str = "/"):
    return render_template(
        "login.html", csrf=csrf_token(), error=LOGIN_ERRORS.get(error or ""), next=nxt, email=email
    ), status


@bp.get("/login")
def login_form():
    nxt = _safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(nxt)
    # A failed POST stashes its outcome here (post/redirect/get: refresh never re-posts).
    failed = session.pop("login_failed", None) or {}
    return _login_page(failed.get("error"), 200, failed.get("email", ""), nxt)


def _back_to_form(error: str, email: str, nxt: str):
    session["login_failed"] = {"error": error, "email": email[:320]}
    return redirect("/login" + (f"?{urlencode({'next': nxt})}" if nxt != "/" else ""), 303)


@bp.post("/login")
def login_submit():
    """Form login (HTML answers, CSRF-checked) or JSON login (JSON answers, for scripts)."""
    wants_json = request.is_json
    data = (request.get_json(silent=True) or {}) if wants_json else request.form
    if not hasattr(data, "get"):
        return jsonify({"error": "send a JSON object with email and password"}), 400
    email, password = str(data.get("email") or ""), str(data.get("password") or "")
    nxt = _safe_next(data.get("next"))
    # JSON needs no token: browsers cannot send it cross-site without a CORS preflight.
    if not wants_json and not hmac.compare_digest(str(data.get("csrf", "")), csrf_token()):
        return _login_page("csrf", 403, email, nxt)
    try:
        with runtime().db.session() as s:
            user = verify_login(s, email, password, ip=request.remote_addr or "?")
            web_user = _web_user(s, user) if user else None
    except RateLimited as exc:
        if not wants_json:
            return _back_to_form("rate", email, nxt)
        resp = jsonify({"error": str(exc)})
        resp.status_code = 429
        resp.headers["Retry-After"] = str(exc.retry_after)
        return resp
    if web_user is None:
        if wants_json:
            return jsonify({"error": "wrong e-mail or password"}), 401
        return _back_to_form("invalid", email, nxt)
    session.clear()  # a fresh session (and CSRF token) on every login: no fixation
    login_user(web_user)
    if wants_json:
        return jsonify({"ok": True, "account": web_user.account_id})
    if nxt == "/":  # no page asked for: the Overview (dashboards.service.landing)
        with runtime().db.session() as s:
            nxt = landing(s, web_user.account_id)
    return redirect(nxt, 303)


@bp.post("/logout")
def logout():
    # A POST with the session's CSRF token: another site cannot log a user out.
    if current_user.is_authenticated and not hmac.compare_digest(
        str(request.form.get("csrf", "")), csrf_token()
    ):
        return redirect("/", 303)
    logout_user()
    session.clear()
    return redirect("/login", 303)


@bp.get("/logout")
def logout_page():
    if not current_user.is_authenticated:
        return redirect("/login", 303)
    return render_template("logout.html", csrf=csrf_token())


def _web_user(s, user: User) -> WebUser:
    acc = s.get(Account, user.account_id)
    return WebUser(user.id, user.email, user.account_id, acc.name if acc else "")


def _api_routing_error(app: Flask, path: str) -> HTTPException | None:
    """For an API-door path, the 404/405 that the API rules alone give, or None if one matched.

    Dash's `/<path:path>` page route would otherwise answer GET /api/anything with HTML.
    """
    rule = request.url_rule
    if rule is not None and rule.rule.startswith(NO_UI_PREFIXES):
        return None
    if rule is None and not isinstance(request.routing_exception, MethodNotAllowed):
        return None  # already a plain 404
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith(NO_UI_PREFIXES)]
    cached = app.extensions.get("tally_api_map")
    if cached is None or cached[0] != len(rules):
        # The app's converters: werkzeug's default `int` would take ids the store cannot hold.
        cached = app.extensions["tally_api_map"] = (
            len(rules),
            Map([r.empty() for r in rules], converters=app.url_map.converters),
        )
    try:
        cached[1].bind("tally").match(path, method=request.method)
    except HTTPException as exc:
        return exc
    return None


class _SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over https (directly, or
    through a proxy's X-Forwarded-Proto with TALLY_PROXY_HOPS), and still works over plain
    http on a laptop."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def _secure_remember_cookie(app: Flask, resp):
    """Flask-Login sets (or clears) its remember cookie from the app's config alone: over
    https, mark it Secure too."""
    if not request.is_secure:
        return resp
    name = app.config.get("REMEMBER_COOKIE_NAME", "remember_token") + "="
    cookies = resp.headers.getlist("Set-Cookie")
    if any(c.startswith(name) for c in cookies):
        resp.headers.remove("Set-Cookie")
        for c in cookies:
            secure = c.startswith(name) and "; secure" not in c.lower()
            resp.headers.add("Set-Cookie", c + "; Secure" if secure else c)
    return resp


def init_app(app: Flask) -> None:
    app.session_interface = _SessionInterface()
    # Registered before Flask-Login's own: after-request functions run in reverse order.
    app.after_request(lambda resp: _secure_remember_cookie(app, resp))
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
        if path.startswith(NO_UI_PREFIXES):
            error = _api_routing_error(app, path)
            if error is not None:
                raise error  # JSON 404/405 from the API error handler, never Dash's HTML
        if is_open(path):
            return None
        if not current_user.is_authenticated:
            if path.startswith(("/_dash-", "/_reload-hash")):
                return jsonify({"error": "not logged in: reload the page to log in"}), 401
            target = _safe_next(request.full_path.rstrip("?"))
            return redirect("/login" + (f"?{urlencode({'next': target})}" if target != "/" else ""))
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            sent = request.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent, csrf_token()):
                return jsonify({"error": "CSRF check failed: reload the page"}), 403
        return None

    @app.after_request
    def _csrf_cookie(resp):
        # The path first: API and /v1 requests never load a user (the hot ingest path).
        if not request.path.startswith(NO_UI_PREFIXES) and current_user.is_authenticated:
            token = csrf_token()
            if request.cookies.get(CSRF_COOKIE) != token:
                resp.set_cookie(CSRF_COOKIE, token, samesite="Strict", secure=request.is_secure)
        return resp
