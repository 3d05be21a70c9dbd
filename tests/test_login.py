"""The login wall of the console: form and JSON login, rate limit, CSRF, redirects, logout."""

from __future__ import annotations

import re

import pytest

from backend.accounts.users import MAX_FAILURES_PER_EMAIL, MAX_FAILURES_PER_IP

PASSWORD = "correct horse battery"


def form_csrf(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def form_login(
    client, email: str, password: str, next_: str | None = None, csrf: str | None = None
):
    data = {"email": email, "password": password, "csrf": csrf or form_csrf(client)}
    if next_ is not None:
        data["next"] = next_
    return client.post("/login", data=data)


def is_logged_in(client) -> bool:
    return client.get("/_dash-layout").status_code == 200


def test_the_console_is_behind_the_wall(client, account):
    resp = client.get("/settings?tab=keys")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/login?next=%2Fsettings%3Ftab%3Dkeys"
    resp = client.get("/_dash-layout")
    assert resp.status_code == 401 and "log in" in resp.get_json()["error"]
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").get_json()["ok"] is True


def log_out(client):
    with client.session_transaction() as sess:
        token = sess.get("csrf", "")
    return client.post("/logout", data={"csrf": token})


def test_form_login_lands_on_next_then_logout_closes_the_wall(client, account):
    resp = form_login(client, "Owner@Acme.test ", PASSWORD, next_="/settings")
    assert resp.status_code == 303 and resp.headers["Location"] == "/settings"
    page = client.get("/settings")
    assert page.status_code == 200 and "_dash-renderer" in page.get_data(as_text=True)
    assert client.get("/login?next=/settings").headers["Location"] == "/settings"

    page = client.get("/logout")  # a GET only asks: another site cannot log you out
    assert page.status_code == 200 and is_logged_in(client)
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 303 and is_logged_in(
        client
    )
    resp = log_out(client)
    assert resp.status_code == 303 and resp.headers["Location"] == "/login"
    assert not is_logged_in(client)


def test_wrong_password_shows_a_message_and_keeps_the_email(client, account):
    resp = form_login(client, "owner@acme.test", "wrong", next_="/settings")
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/login?next=%2Fsettings"
    page = client.get(resp.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'role="alert"' in html and "do not match" in html
    assert 'value="owner@acme.test"' in html and 'value="/settings"' in html
    assert not is_logged_in(client)
    # The message is shown once, not on every later visit.
    assert "do not match" not in client.get("/login").get_data(as_text=True)


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, account):
    resp = client.post("/login", json={"email": "nobody@acme.test", "password": PASSWORD})
    assert resp.status_code == 401
    assert resp.get_json() == {"error": "wrong e-mail or password"}
    resp = client.post("/login", json={"email": "owner@acme.test", "password": "nope"})
    assert resp.get_json() == {"error": "wrong e-mail or password"}


@pytest.mark.parametrize(
    "body",
    [
        {"email": "owner@acme.test\x00", "password": PASSWORD},
        {"email": "x" * 5000 + "@acme.test", "password": PASSWORD},
        {"email": ["owner@acme.test"], "password": PASSWORD},
        {"email": "owner@acme.test", "password": {"p": 1}},
        {"email": "owner@acme.test", "password": "x" * 100_000},
        {},
    ],
)
def test_odd_json_logins_are_plain_401s(client, account, body):
    resp = client.post("/login", json=body)
    assert resp.status_code == 401
    assert resp.get_json() == {"error": "wrong e-mail or password"}


def test_json_login_with_a_non_object_body_is_a_400(client, account):
    resp = client.post("/login", json=["owner@acme.test", PASSWORD])
    assert resp.status_code == 400 and "JSON object" in resp.get_json()["error"]


def test_failed_logins_are_rate_limited_per_email(client, account):
    for _ in range(MAX_FAILURES_PER_EMAIL):
        assert (
            client.post("/login", json={"email": "owner@acme.test", "password": "x"}).status_code
            == 401
        )
    # Past the limit even the right password is refused, so guessing gains nothing.
    resp = client.post("/login", json={"email": "owner@acme.test", "password": PASSWORD})
    assert resp.status_code == 429
    assert int(resp.headers["Retry-After"]) > 0
    assert "too many failed logins" in resp.get_json()["error"]
    resp = form_login(client, "owner@acme.test", PASSWORD)
    assert resp.status_code == 303
    assert "Too many failed attempts" in client.get("/login").get_data(as_text=True)
    assert not is_logged_in(client)


def test_failed_logins_are_rate_limited_per_address(client, make_account):
    make_account("Other", email="other@shop.test")
    for i in range(MAX_FAILURES_PER_IP):
        resp = client.post("/login", json={"email": f"guess{i}@shop.test", "password": "x"})
        assert resp.status_code == 401
    resp = client.post("/login", json={"email": "other@shop.test", "password": PASSWORD})
    assert resp.status_code == 429
    # Another address is not punished for this one's guesses.
    other = client.post(
        "/login",
        json={"email": "other@shop.test", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert other.status_code == 200


def test_a_success_clears_the_email_counter(client, account):
    for _ in range(MAX_FAILURES_PER_EMAIL - 1):
        client.post("/login", json={"email": "owner@acme.test", "password": "x"})
    assert (
        client.post("/login", json={"email": "owner@acme.test", "password": PASSWORD}).status_code
        == 200
    )
    log_out(client)
    for _ in range(MAX_FAILURES_PER_EMAIL - 1):
        assert (
            client.post("/login", json={"email": "owner@acme.test", "password": "x"}).status_code
            == 401
        )


@pytest.mark.parametrize("csrf", ["forged", ""])
def test_login_form_with_a_bad_csrf_token_is_refused(client, account, csrf):
    form_csrf(client)  # the session has a token; the form sends another
    resp = client.post(
        "/login", data={"email": "owner@acme.test", "password": PASSWORD, "csrf": csrf or ""}
    )
    assert resp.status_code == 403
    assert "expired" in resp.get_data(as_text=True)
    assert not is_logged_in(client)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.test/",
        "//evil.test",
        "/\\evil.test",
        "\\\\evil.test",
        "/\t/evil.test",
        "javascript:alert(1)",
        "evil.test",
        "http:/evil.test",
    ],
)
def test_next_never_leaves_the_site(client, account, target):
    resp = form_login(client, "owner@acme.test", PASSWORD, next_=target)
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/"
    assert client.get("/login", query_string={"next": target}).headers["Location"] == "/"


def test_login_starts_a_fresh_session(client, account):
    before = form_csrf(client)
    form_login(client, "owner@acme.test", PASSWORD, csrf=before)
    client.get("/settings")
    after = client.get_cookie("_csrf_token").value
    assert after and after != before


def dash_create_key_call(client, label: str) -> dict:
    """The request Dash's renderer sends when Settings' "Create key" is clicked, built from
    the app's own /_dash-dependencies so it follows the page."""
    deps = client.get("/_dash-dependencies").get_json()
    dep = next(
        d for d in deps if d["inputs"] == [{"id": "settings-create-key", "property": "n_clicks"}]
    )
    outputs = []
    for part in dep["output"].strip(".").split("..."):
        component, prop = part.rsplit(".", 1)
        outputs.append({"id": component, "property": prop})
    values = {"settings-key-kind": "write", "settings-key-label": label}
    return {
        "output": dep["output"],
        "outputs": outputs,
        "inputs": [{"id": "settings-create-key", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["settings-create-key.n_clicks"],
        "state": [{**st, "value": values[st["id"]]} for st in dep["state"]],
    }


def key_labels(client, account) -> list[str]:
    resp = client.get("/api/keys", headers={"Authorization": f"Bearer {account.private_key}"})
    return [k["label"] for k in resp.get_json()["keys"]]


def test_dash_callbacks_need_the_csrf_header(client, account):
    form_login(client, "owner@acme.test", PASSWORD)
    client.get("/settings")
    token = client.get_cookie("_csrf_token").value

    for headers in ({}, {"X-CSRFToken": "forged"}, {"X-CSRFToken": ""}):
        resp = client.post(
            "/_dash-update-component", json=dash_create_key_call(client, "forged"), headers=headers
        )
        assert resp.status_code == 403
        assert "CSRF" in resp.get_json()["error"]
    assert "forged" not in key_labels(client, account)

    resp = client.post(
        "/_dash-update-component",
        json=dash_create_key_call(client, "real"),
        headers={"X-CSRFToken": token},
    )
    assert resp.status_code == 200
    assert "New write key created" in resp.get_data(as_text=True)
    assert "real" in key_labels(client, account)


def test_dash_callbacks_need_a_login(client, account):
    form_login(client, "owner@acme.test", PASSWORD)
    call = dash_create_key_call(client, "anon")
    log_out(client)
    resp = client.post("/_dash-update-component", json=call)
    assert resp.status_code == 401
    assert "anon" not in key_labels(client, account)


def _cookie(resp, name: str) -> str:
    found = [c for c in resp.headers.getlist("Set-Cookie") if c.startswith(name + "=")]
    assert found, f"no {name} cookie set: {resp.headers.getlist('Set-Cookie')}"
    return found[-1]


@pytest.mark.parametrize("scheme, secure", [("https", True), ("http", False)])
def test_session_and_remember_cookies_are_secure_over_https(app, client, account, scheme, secure):
    """Over https (TLS in front, X-Forwarded-Proto trusted with TALLY_PROXY_HOPS) the login's
    cookies never travel in clear; over plain http (a laptop) they still work."""
    from flask_login import login_user

    from backend.api.login import WebUser

    base = f"{scheme}://localhost"
    resp = client.post(
        "/login", json={"email": "owner@acme.test", "password": PASSWORD}, base_url=base
    )
    assert resp.status_code == 200
    assert ("; Secure" in _cookie(resp, "session")) is secure
    # Flask-Login's remember cookie, through the app's own response processing.
    with app.test_request_context("/", base_url=base):
        login_user(WebUser(1, "owner@acme.test", account.id, "Acme Store"), remember=True)
        resp = app.process_response(app.make_response("ok"))
    assert ("; Secure" in _cookie(resp, "remember_token")) is secure
