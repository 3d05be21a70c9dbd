"""Key checks at the API doors: every bad credential is a 401 with a JSON error, nothing more."""

from __future__ import annotations

import base64
import sqlite3

import pytest

from backend.accounts import keys


def basic(user: str, password: str = "") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def assert_json_401(resp, *, v1: bool = False) -> str:
    assert resp.status_code == 401
    assert resp.is_json
    body = resp.get_json()
    assert set(body) == ({"success", "error"} if v1 else {"error"})
    if v1:
        assert body["success"] is False
    assert isinstance(body["error"], str) and body["error"]
    return body["error"]


@pytest.fixture
def revoked_private(runtime, account):
    with runtime.db.session() as s:
        raw = keys.create_key(s, account.id, "private", "old")
        key_id = keys.list_keys(s, account.id)[-1].id
        keys.revoke_key(s, account.id, key_id)
    return raw


# Each case: a header builder given the account and a revoked private key.
API_HEADERS = {
    "missing": lambda a, r: None,
    "empty": lambda a, r: "",
    "scheme only": lambda a, r: "Bearer",
    "scheme and blanks": lambda a, r: "Bearer    ",
    "unknown key": lambda a, r: "Bearer tk_" + "x" * 32,
    "revoked key": lambda a, r: f"Bearer {r}",
    "basic instead of bearer": lambda a, r: basic(a.private_key),
    "other scheme": lambda a, r: f"Token {a.private_key}",
    "key without scheme": lambda a, r: a.private_key,
    "write key": lambda a, r: f"Bearer {a.write_key}",
    "public key": lambda a, r: f"Bearer {a.public_key}",
    "key plus junk": lambda a, r: f"Bearer {a.private_key}x",
    "huge": lambda a, r: "Bearer " + "k" * 10_000,
    "non-ascii": lambda a, r: "Bearer tk_é€",
}


@pytest.mark.parametrize("case", list(API_HEADERS))
def test_api_refuses_bad_bearer_credentials(client, account, revoked_private, case):
    header = API_HEADERS[case](account, revoked_private)
    headers = {} if header is None else {"Authorization": header}
    assert_json_401(client.get("/api/account", headers=headers))
    assert_json_401(client.post("/api/keys", json={"kind": "private"}, headers=headers))


def test_api_accepts_the_private_key_with_any_scheme_case(client, account):
    for scheme in ("Bearer", "bearer", "BEARER"):
        resp = client.get(
            "/api/account", headers={"Authorization": f"{scheme} {account.private_key}"}
        )
        assert resp.status_code == 200
        assert resp.get_json() == {
            "id": account.id,
            "name": "Acme Store",
            "dimensions": resp.get_json()["dimensions"],
        }


V1_HEADERS = {
    "missing": lambda a: None,
    "empty": lambda a: "",
    "basic without value": lambda a: "Basic",
    "bad base64": lambda a: "Basic !!!not-base64!!!",
    "base64 of nothing": lambda a: "Basic " + base64.b64encode(b":").decode(),
    "not utf-8": lambda a: "Basic " + base64.b64encode(b"\xff\xfe:").decode(),
    "bearer instead of basic": lambda a: f"Bearer {a.write_key}",
    "private key": lambda a: basic(a.private_key),
    "public key": lambda a: basic(a.public_key),
    "unknown key": lambda a: basic("tw_" + "y" * 32),
    "key as password": lambda a: basic("", a.write_key),
}


@pytest.mark.parametrize("case", list(V1_HEADERS))
def test_v1_refuses_bad_basic_credentials(client, account, case):
    header = V1_HEADERS[case](account)
    headers = {} if header is None else {"Authorization": header}
    resp = client.post("/v1/track", json={"userId": "u1", "event": "Placed Order"}, headers=headers)
    assert_json_401(resp, v1=True)
    assert resp.headers["WWW-Authenticate"].startswith("Basic")


def test_v1_accepts_the_write_key_as_basic_user_with_any_password(client, account):
    # Segment SDKs send "key:"; some send a password too. Bad JSON then proves the key passed.
    for header in (basic(account.write_key), basic(account.write_key, "ignored")):
        resp = client.post("/v1/track", data="{", headers={"Authorization": header})
        assert resp.status_code == 400


def test_unauthenticated_errors_leak_nothing(client, account):
    resp = client.get("/api/keys", headers={"Authorization": "Bearer tk_" + "z" * 32})
    text = resp.get_data(as_text=True)
    assert "tk_" not in text and "Traceback" not in text and "acc_" not in text


@pytest.fixture
def broken_app(tmp_path):
    """An app whose database lost a table under it: a real unexpected error, on every path."""
    from app import create_app
    from backend.accounts.service import create_account
    from backend.config import Settings

    db_path = tmp_path / "tally.sqlite3"
    settings = Settings.from_env(
        {
            "TALLY_VAR_DIR": str(tmp_path / "var"),
            "TALLY_DATABASE_URL": f"sqlite:///{db_path}",
            "TALLY_SECRET_KEY": "test-secret-key-0123456789abcdef",
        },
        env_file=None,
    )
    flask_app = create_app(settings)
    with flask_app.extensions["tally"].db.session() as s:
        acc = create_account(s, "Broken", email="b@broken.test", password="pw-broken-123")
    flask_app.extensions["tally"].db.dispose()
    with sqlite3.connect(db_path) as conn:  # foreign keys off: the table just goes away
        conn.execute("DROP TABLE accounts")
        conn.execute("DROP TABLE login_attempts")
    yield flask_app, acc
    flask_app.extensions["tally"].close()


def test_no_stack_trace_reaches_a_response(broken_app, caplog):
    flask_app, acc = broken_app
    client = flask_app.test_client()
    resp = client.get("/api/account", headers={"Authorization": f"Bearer {acc.private_key}"})
    assert resp.status_code == 500
    assert resp.get_json() == {"error": "internal error; it has been logged"}

    resp = client.post("/login", json={"email": "b@broken.test", "password": "pw-broken-123"})
    assert resp.status_code == 500
    for body in (resp.get_data(as_text=True),):
        for leak in (
            "Traceback",
            "sqlite",
            "OperationalError",
            "SELECT",
            "login_attempts",
            'File "',
        ):
            assert leak not in body
    # ...and the operator still gets the whole story in the log.
    assert any("OperationalError" in (r.exc_text or "") for r in caplog.records)
