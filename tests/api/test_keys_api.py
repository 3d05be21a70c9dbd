"""/api/keys as an API client uses it: list, create, revoke, rotate (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def keys_of(client, key: str) -> list[dict]:
    resp = client.get("/api/keys", headers=bearer(key))
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["keys"]


def test_new_account_lists_one_masked_key_of_each_kind(client, account):
    listed = keys_of(client, account.private_key)
    assert sorted(k["kind"] for k in listed) == ["private", "public", "write"]
    by_kind = {k["kind"]: k for k in listed}
    # Secrets never come back; the public key is meant to be seen.
    assert account.write_key not in str(listed)
    assert account.private_key not in str(listed)
    assert by_kind["write"]["masked"].startswith(account.write_key[:8])
    assert "•" in by_kind["private"]["masked"]
    assert by_kind["public"]["masked"] == account.public_key
    for k in listed:
        assert set(k) == {"id", "kind", "label", "masked", "created_at", "revoked_at"}
        assert k["created_at"].endswith("Z") and k["revoked_at"] is None


@pytest.mark.parametrize("kind, door", [("private", "api"), ("write", "v1"), ("public", "list")])
def test_created_key_is_shown_once_and_works_at_its_door(client, account, kind, door):
    resp = client.post(
        "/api/keys", json={"kind": kind, "label": "CI"}, headers=bearer(account.private_key)
    )
    assert resp.status_code == 201
    created = resp.get_json()
    raw = created["key"]
    assert created["kind"] == kind and created["label"] == "CI" and created["revoked_at"] is None
    assert raw.startswith({"private": "tk_", "write": "tw_", "public": "tp_"}[kind])

    listed = keys_of(client, account.private_key)
    assert [k["id"] for k in listed if k["id"] == created["id"]] == [created["id"]]
    if kind != "public":
        assert raw not in str(listed)

    if door == "api":
        assert client.get("/api/account", headers=bearer(raw)).get_json()["id"] == account.id
    elif door == "v1":
        # The write key authenticates at /v1 (HTTP Basic, key as user name): a bad body is a
        # 400, not a 401, which proves the key was accepted.
        resp = client.post("/v1/track", data="not json", auth=(raw, ""))
        assert resp.status_code == 400, resp.get_json()
    else:
        # The snippet on Settings uses the newest public key; keys still lists it in clear.
        assert raw in [k["masked"] for k in listed]


@pytest.mark.parametrize(
    "body, message",
    [
        ({"kind": "admin"}, "'kind' must be one of"),
        ({}, "'kind' must be one of"),
        ({"kind": "write", "label": 7}, "'label' must be a string"),
        ({"kind": "write", "label": "x" * 101}, "at most 100 characters"),
        ({"kind": "write", "label": "bad\x00label"}, "'label'"),
        (["kind", "write"], "JSON object"),
    ],
)
def test_create_key_refuses_bad_bodies(client, account, body, message):
    before = keys_of(client, account.private_key)
    resp = client.post("/api/keys", json=body, headers=bearer(account.private_key))
    assert resp.status_code == 400
    assert message in resp.get_json()["error"]
    assert keys_of(client, account.private_key) == before


def test_create_key_refuses_a_non_json_body(client, account):
    resp = client.post("/api/keys", data="kind=write", headers=bearer(account.private_key))
    assert resp.status_code == 400
    assert "JSON object" in resp.get_json()["error"]


def test_revoke_stops_the_key_at_once_and_is_listed(client, account):
    write = next(k for k in keys_of(client, account.private_key) if k["kind"] == "write")
    assert client.post("/v1/track", data="{}", auth=(account.write_key, "")).status_code == 400

    resp = client.delete(f"/api/keys/{write['id']}", headers=bearer(account.private_key))
    assert resp.status_code == 204 and resp.data == b""

    resp = client.post("/v1/track", data="{}", auth=(account.write_key, ""))
    assert resp.status_code == 401
    assert resp.get_json() == {"success": False, "error": "unknown or revoked write key"}
    listed = {k["id"]: k for k in keys_of(client, account.private_key)}
    assert listed[write["id"]]["revoked_at"].endswith("Z")
    # Revoking twice changes nothing and is not an error (safe to retry).
    again = client.delete(f"/api/keys/{write['id']}", headers=bearer(account.private_key))
    assert again.status_code == 204
    assert (
        keys_of(client, account.private_key)[0]["revoked_at"] == listed[write["id"]]["revoked_at"]
    )


def test_revoking_the_key_in_use_locks_it_out(client, account):
    own = next(k for k in keys_of(client, account.private_key) if k["kind"] == "private")
    assert (
        client.delete(f"/api/keys/{own['id']}", headers=bearer(account.private_key)).status_code
        == 204
    )
    resp = client.get("/api/keys", headers=bearer(account.private_key))
    assert resp.status_code == 401
    assert resp.get_json() == {"error": "unknown or revoked private key"}


def test_rotate_replaces_a_key_with_one_of_the_same_kind_and_label(client, account):
    old = next(k for k in keys_of(client, account.private_key) if k["kind"] == "private")
    resp = client.post(f"/api/keys/{old['id']}/rotate", headers=bearer(account.private_key))
    assert resp.status_code == 201
    new = resp.get_json()
    assert new["id"] != old["id"]
    assert (new["kind"], new["label"]) == ("private", old["label"])
    assert client.get("/api/keys", headers=bearer(account.private_key)).status_code == 401
    listed = {k["id"]: k for k in keys_of(client, new["key"])}
    assert listed[old["id"]]["revoked_at"] is not None
    assert listed[new["id"]]["revoked_at"] is None


@pytest.mark.parametrize(
    "method, path", [("delete", "/api/keys/{}"), ("post", "/api/keys/{}/rotate")]
)
def test_unknown_key_ids_are_404(client, account, method, path):
    before = keys_of(client, account.private_key)
    unknown = max(k["id"] for k in before) + 1000
    resp = getattr(client, method)(path.format(unknown), headers=bearer(account.private_key))
    assert resp.status_code == 404
    assert resp.get_json() == {"error": f"no key {unknown} in this account"}
    assert keys_of(client, account.private_key) == before


def test_non_numeric_key_id_is_a_json_404(client, account):
    resp = client.delete("/api/keys/abc", headers=bearer(account.private_key))
    assert resp.status_code == 404
    assert resp.is_json and "error" in resp.get_json()
