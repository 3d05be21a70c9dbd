"""Cross-account cases for tests/api/test_isolation.py, one per /api route.

A case gets (client, a, b): two accounts with their keys. It uses B's private key on A's
resources and asserts a 404, or that only B's data comes back, and that A is unchanged.
A new /api route needs an entry in CASES (keyed "METHOD /rule" as Flask spells the rule).
"""

from __future__ import annotations

from collections.abc import Callable

from backend.accounts.service import NewAccount


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def keys_by_kind(client, acc: NewAccount) -> dict[str, list[dict]]:
    resp = client.get("/api/keys", headers=bearer(acc.private_key))
    assert resp.status_code == 200
    grouped: dict[str, list[dict]] = {}
    for k in resp.get_json()["keys"]:
        grouped.setdefault(k["kind"], []).append(k)
    return grouped


Case = Callable[..., None]


def _account(client, a: NewAccount, b: NewAccount) -> None:
    resp = client.get("/api/account", headers=bearer(b.private_key))
    assert resp.get_json()["id"] == b.id and resp.get_json()["name"] == b.name


def _list_keys(client, a: NewAccount, b: NewAccount) -> None:
    a_ids = {k["id"] for ks in keys_by_kind(client, a).values() for k in ks}
    b_ids = {k["id"] for ks in keys_by_kind(client, b).values() for k in ks}
    assert a_ids and b_ids and not a_ids & b_ids
    assert a.public_key not in str(keys_by_kind(client, b))


def _create_key(client, a: NewAccount, b: NewAccount) -> None:
    before = keys_by_kind(client, a)
    resp = client.post("/api/keys", json={"kind": "private"}, headers=bearer(b.private_key))
    assert resp.status_code == 201
    assert keys_by_kind(client, a) == before
    assert resp.get_json()["id"] in [k["id"] for k in keys_by_kind(client, b)["private"]]
    assert (
        client.get("/api/account", headers=bearer(resp.get_json()["key"])).get_json()["id"] == b.id
    )


def _on_a_write_key(method: str, suffix: str) -> Case:
    def case(client, a: NewAccount, b: NewAccount) -> None:
        before = keys_by_kind(client, a)
        target = before["write"][0]["id"]
        resp = client.open(
            f"/api/keys/{target}{suffix}", method=method, headers=bearer(b.private_key)
        )
        assert resp.status_code == 404
        assert resp.get_json() == {"error": f"no key {target} in this account"}
        assert keys_by_kind(client, a) == before
        assert client.post("/v1/track", data="{", auth=(a.write_key, "")).status_code == 400

    return case


def seed(client, acc: NewAccount, user: str, events: list[str]) -> None:
    """Send an identify and some track events through /v1 with the account's write key, then
    fold them into the stores as the aggregator does."""
    from backend.ingest import ingestor

    batch = [{"type": "identify", "userId": user, "traits": {"email": f"{user}@example.test"}}]
    batch += [{"type": "track", "userId": user, "event": e} for e in events]
    resp = client.post("/v1/batch", json={"batch": batch}, auth=(acc.write_key, ""))
    assert resp.status_code == 200, resp.get_json()
    ingestor(client.application.extensions["tally"]).drain()


def _metrics(client, a: NewAccount, b: NewAccount) -> None:
    seed(client, a, "alice", ["A Secret", "Placed Order"])
    seed(client, b, "bob", ["Placed Order"])
    names = [
        m["name"] for m in client.get("/api/metrics", headers=bearer(b.private_key)).json["metrics"]
    ]
    assert names == ["Placed Order"]
    a_names = [
        m["name"] for m in client.get("/api/metrics", headers=bearer(a.private_key)).json["metrics"]
    ]
    assert a_names == ["A Secret", "Placed Order"]


def _series(client, a: NewAccount, b: NewAccount) -> None:
    seed(client, a, "alice", ["A Secret", "Placed Order", "Placed Order"])
    seed(client, b, "bob", ["Placed Order"])
    resp = client.get("/api/metrics/A Secret/series", headers=bearer(b.private_key))
    assert resp.status_code == 404
    resp = client.get("/api/metrics/Placed Order/series", headers=bearer(b.private_key))
    assert resp.status_code == 200
    points = [p for s in resp.get_json()["series"] for p in s["points"]]
    assert sum(p["count"] for p in points) == 1  # B's one order, none of A's two


def _profiles(client, a: NewAccount, b: NewAccount) -> None:
    seed(client, a, "alice", ["Placed Order"])
    seed(client, b, "bob", ["Placed Order"])
    resp = client.get("/api/profiles?email=alice@example.test", headers=bearer(b.private_key))
    assert resp.status_code == 404
    listed = client.get("/api/profiles", headers=bearer(b.private_key)).get_json()
    assert [p["email"] for p in listed["profiles"]] == ["bob@example.test"]
    assert "alice" not in str(listed)
    found = client.get("/api/profiles?q=alice", headers=bearer(b.private_key)).get_json()
    assert found["profiles"] == [] and found["total"] == 0


def _profile(client, a: NewAccount, b: NewAccount) -> None:
    seed(client, a, "alice", ["Placed Order"])
    alice = client.get("/api/profiles?email=alice@example.test", headers=bearer(a.private_key))
    assert alice.status_code == 200
    resp = client.get(f"/api/profiles/{alice.get_json()['id']}", headers=bearer(b.private_key))
    assert resp.status_code == 404
    assert "alice" not in resp.get_data(as_text=True)


def _alice_id(client, a: NewAccount) -> int:
    seed(client, a, "alice", ["Placed Order"])
    alice = client.get("/api/profiles?email=alice@example.test", headers=bearer(a.private_key))
    assert alice.status_code == 200
    return alice.get_json()["id"]


def _profile_export(client, a: NewAccount, b: NewAccount) -> None:
    pid = _alice_id(client, a)
    resp = client.get(f"/api/profiles/{pid}/export", headers=bearer(b.private_key))
    assert resp.status_code == 404 and "alice" not in resp.get_data(as_text=True)
    assert (
        client.get(f"/api/profiles/{pid}/export", headers=bearer(a.private_key)).status_code == 200
    )


def _profile_delete(client, a: NewAccount, b: NewAccount) -> None:
    pid = _alice_id(client, a)
    assert client.delete(f"/api/profiles/{pid}", headers=bearer(b.private_key)).status_code == 404
    assert client.get(f"/api/profiles/{pid}", headers=bearer(a.private_key)).status_code == 200


def _audit(client, a: NewAccount, b: NewAccount) -> None:
    pid = _alice_id(client, a)
    client.get(f"/api/profiles/{pid}/export", headers=bearer(a.private_key))
    assert client.get("/api/audit", headers=bearer(b.private_key)).get_json() == {"entries": []}
    assert len(client.get("/api/audit", headers=bearer(a.private_key)).get_json()["entries"]) == 1


# The saved things of an account (dashboards, flows, forms): a valid definition of each.
def _definition(kind: str) -> dict:
    if kind == "dashboards":
        return {
            "name": "A Secret board",
            "cards": [{"id": "c1", "metric": "Placed Order", "chart": "line"}],
        }
    if kind == "flows":
        return {
            "name": "A Secret flow",
            "trigger": {"type": "metric", "metric": "Placed Order"},
            "filters": [],
            "start": "thanks",
            "nodes": [
                {"id": "thanks", "type": "email", "subject": "Hi", "body": "Thanks", "next": None}
            ],
        }
    if kind == "segments":
        us = {"type": "property", "field": "country", "op": "eq", "value": "US"}
        return {"name": "A Secret segment", "conditions": [[us]]}
    if kind == "campaigns":
        return {"name": "A Secret campaign", "subject": "Hi", "body": "Thanks", "audience": {}}
    if kind == "lists":
        return {"name": "A Secret list"}
    from backend.forms.starters import template

    return {**template("newsletter_popup"), "name": "A Secret form"}


def _create_as(client, acc: NewAccount, kind: str) -> int:
    resp = client.post(f"/api/{kind}", json=_definition(kind), headers=bearer(acc.private_key))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def _listing(client, acc: NewAccount, kind: str) -> list[dict]:
    resp = client.get(f"/api/{kind}", headers=bearer(acc.private_key))
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()[kind]


def _list_of(kind: str) -> Case:
    def case(client, a: NewAccount, b: NewAccount) -> None:
        a_id = _create_as(client, a, kind)
        seen = _listing(client, b, kind)
        assert a_id not in [x["id"] for x in seen]
        assert "A Secret" not in str(seen)

    return case


def _create_in(kind: str) -> Case:
    def case(client, a: NewAccount, b: NewAccount) -> None:
        before = _listing(client, a, kind)
        b_id = _create_as(client, b, kind)
        assert _listing(client, a, kind) == before
        assert b_id in [x["id"] for x in _listing(client, b, kind)]

    return case


def _member_of(kind: str, method: str, suffix: str = "", body: bool = False) -> Case:
    def case(client, a: NewAccount, b: NewAccount) -> None:
        a_id = _create_as(client, a, kind)
        before = client.get(f"/api/{kind}/{a_id}", headers=bearer(a.private_key)).get_json()
        resp = client.open(
            f"/api/{kind}/{a_id}{suffix}",
            method=method,
            json=_definition(kind) if body else None,
            headers=bearer(b.private_key),
        )
        assert resp.status_code == 404, resp.get_json()
        assert "error" in resp.get_json() and "A Secret" not in resp.get_data(as_text=True)
        after = client.get(f"/api/{kind}/{a_id}", headers=bearer(a.private_key)).get_json()
        assert after == before

    return case


SCHEDULE = {"frequency": "weekly", "hour": 8, "recipients": ["boss@shop-a.test"]}


def _schedule(method: str) -> Case:
    def case(client, a: NewAccount, b: NewAccount) -> None:
        a_id = _create_as(client, a, "dashboards")
        path = f"/api/dashboards/{a_id}/schedule"
        put = client.put(path, json=SCHEDULE, headers=bearer(a.private_key))
        assert put.status_code == 200, put.get_json()
        resp = client.open(
            path,
            method=method,
            json={**SCHEDULE, "recipients": ["thief@shop-b.test"]} if method == "PUT" else None,
            headers=bearer(b.private_key),
        )
        assert resp.status_code == 404, resp.get_json()
        assert "boss@" not in resp.get_data(as_text=True)
        assert client.get(path, headers=bearer(a.private_key)).get_json() == put.get_json()

    return case


def _dimensions(method: str) -> Case:
    def case(client, a: NewAccount, b: NewAccount) -> None:
        path = "/api/account/dimensions"
        put = client.put(path, json={"dimensions": ["a_secret"]}, headers=bearer(a.private_key))
        assert put.status_code == 200, put.get_json()
        if method == "GET":
            seen = client.get(path, headers=bearer(b.private_key)).get_json()["dimensions"]
            assert "a_secret" not in seen and "country" in seen
        else:
            resp = client.put(path, json={"dimensions": ["b_only"]}, headers=bearer(b.private_key))
            assert resp.get_json()["dimensions"] == ["country", "b_only"]
        assert client.get(path, headers=bearer(a.private_key)).get_json() == put.get_json()

    return case


def _predictions_status(client, a: NewAccount, b: NewAccount) -> None:
    assert client.post("/api/predictions/refresh", headers=bearer(a.private_key)).status_code == 202
    got = client.get("/api/predictions", headers=bearer(b.private_key)).get_json()
    assert got["status"] == "not_fitted"  # A's fit is A's


def _predictions_refresh(client, a: NewAccount, b: NewAccount) -> None:
    assert client.post("/api/predictions/refresh", headers=bearer(b.private_key)).status_code == 202
    assert client.get("/api/predictions", headers=bearer(a.private_key)).get_json()["status"] == (
        "not_fitted"
    )
    # B's fit does not block A's.
    assert client.post("/api/predictions/refresh", headers=bearer(a.private_key)).status_code == 202


def _segment_preview(client, a: NewAccount, b: NewAccount) -> None:
    """B may not name A's segment in a definition (nor learn its name)."""
    a_id = _create_as(client, a, "segments")
    uses = {"type": "segment", "segment": a_id}
    resp = client.post(
        "/api/segments/preview", json={"conditions": [[uses]]}, headers=bearer(b.private_key)
    )
    assert resp.status_code == 400, resp.get_json()
    assert "A Secret" not in resp.get_data(as_text=True)


def _campaign_names_as_segment(path: str) -> Case:
    """B may not send to, count or preview with A's segment (404, nothing of it shown)."""

    def case(client, a: NewAccount, b: NewAccount) -> None:
        a_seg = _create_as(client, a, "segments")
        body = {
            **_definition("campaigns"),
            "to": "b@shop-b.test",
            "audience": {"segments": [a_seg]},
        }
        resp = client.post(path, json=body, headers=bearer(b.private_key))
        assert resp.status_code == 404, resp.get_json()
        assert "A Secret" not in resp.get_data(as_text=True)

    return case


def _campaign_for_profile(path: str) -> Case:
    """B may not preview or test-send as A's profile (404, none of its traits shown)."""

    def case(client, a: NewAccount, b: NewAccount) -> None:
        seed(client, a, "alice", [])
        alice = client.get("/api/profiles?email=alice@example.test", headers=bearer(a.private_key))
        body = {
            **_definition("campaigns"),
            "to": "b@shop-b.test",
            "profile_id": alice.get_json()["id"],
        }
        resp = client.post(path, json=body, headers=bearer(b.private_key))
        assert resp.status_code == 404, resp.get_json()
        assert "alice" not in resp.get_data(as_text=True)

    return case


A_MEMBER = "alice-secret@example.test"
CSV_BODY = f"email\n{A_MEMBER}\nnot-an-address\n".encode()


def _a_list_with_an_import(client, a: NewAccount) -> tuple[int, int]:
    """A's list with one member and one import (one row taken, one rejected)."""
    list_id = _create_as(client, a, "lists")
    add = client.post(
        f"/api/lists/{list_id}/members",
        json={"emails": [A_MEMBER], "consent": True},
        headers=bearer(a.private_key),
    )
    assert add.status_code == 200, add.get_json()
    imp = client.post(
        f"/api/lists/{list_id}/imports?consent=true",
        data=CSV_BODY,
        content_type="text/csv",
        headers=bearer(a.private_key),
    )
    assert imp.status_code == 202, imp.get_json()
    return list_id, imp.get_json()["id"]


def _a_list_seen_by_a(client, a: NewAccount, list_id: int) -> tuple:
    head = client.get(f"/api/lists/{list_id}", headers=bearer(a.private_key)).get_json()
    page = client.get(f"/api/lists/{list_id}/members", headers=bearer(a.private_key)).get_json()
    return head, page


def _on_a_list(method: str, suffix: str, **request) -> Case:
    """B's key on A's list (its members, imports, exports): 404, nothing of A's shown, and
    the list and its members unchanged."""

    def case(client, a: NewAccount, b: NewAccount) -> None:
        list_id, import_id = _a_list_with_an_import(client, a)
        before = _a_list_seen_by_a(client, a, list_id)
        resp = client.open(
            f"/api/lists/{list_id}{suffix.format(import_id=import_id)}",
            method=method,
            headers=bearer(b.private_key),
            **request,
        )
        assert resp.status_code == 404, resp.get_data(as_text=True)
        text = resp.get_data(as_text=True)
        assert "error" in resp.get_json() and "alice-secret" not in text and "Secret" not in text
        assert _a_list_seen_by_a(client, a, list_id) == before

    return case


LIST_CASES: dict[str, Case] = {
    "GET /api/lists": _list_of("lists"),
    "POST /api/lists": _create_in("lists"),
    "GET /api/lists/<int:list_id>": _on_a_list("GET", ""),
    "PUT /api/lists/<int:list_id>": _on_a_list("PUT", "", json={"name": "Stolen"}),
    "DELETE /api/lists/<int:list_id>": _on_a_list("DELETE", ""),
    "GET /api/lists/<int:list_id>/members": _on_a_list("GET", "/members"),
    "POST /api/lists/<int:list_id>/members": _on_a_list(
        "POST", "/members", json={"emails": ["bob@example.test"], "consent": True}
    ),
    "DELETE /api/lists/<int:list_id>/members": _on_a_list(
        "DELETE", "/members", json={"emails": [A_MEMBER]}
    ),
    "POST /api/lists/<int:list_id>/imports": _on_a_list(
        "POST", "/imports?consent=true", data=b"email\nbob@example.test\n", content_type="text/csv"
    ),
    "GET /api/lists/<int:list_id>/imports/<int:import_id>": _on_a_list(
        "GET", "/imports/{import_id}"
    ),
    "GET /api/lists/<int:list_id>/imports/<int:import_id>/rejected.csv": _on_a_list(
        "GET", "/imports/{import_id}/rejected.csv"
    ),
    "GET /api/lists/<int:list_id>/export.csv": _on_a_list("GET", "/export.csv"),
}


CAMPAIGN_CASES: dict[str, Case] = {
    "GET /api/campaigns": _list_of("campaigns"),
    "POST /api/campaigns": _create_in("campaigns"),
    "GET /api/campaigns/<int:campaign_id>": _member_of("campaigns", "GET"),
    "PUT /api/campaigns/<int:campaign_id>": _member_of("campaigns", "PUT", body=True),
    "DELETE /api/campaigns/<int:campaign_id>": _member_of("campaigns", "DELETE"),
    "POST /api/campaigns/<int:campaign_id>/send": _member_of("campaigns", "POST", "/send"),
    "POST /api/campaigns/<int:campaign_id>/cancel": _member_of("campaigns", "POST", "/cancel"),
    "POST /api/campaigns/<int:campaign_id>/pause": _member_of("campaigns", "POST", "/pause"),
    "POST /api/campaigns/<int:campaign_id>/resume": _member_of("campaigns", "POST", "/resume"),
    "GET /api/campaigns/<int:campaign_id>/report": _member_of("campaigns", "GET", "/report"),
    "GET /api/campaigns/<int:campaign_id>/export": _member_of(
        "campaigns", "GET", "/export?format=csv"
    ),
    "POST /api/campaigns/count": _campaign_names_as_segment("/api/campaigns/count"),
    "POST /api/campaigns/preview": _campaign_for_profile("/api/campaigns/preview"),
    "POST /api/campaigns/test": _campaign_for_profile("/api/campaigns/test"),
}


CASES: dict[str, Case] = {
    "GET /api/account/dimensions": _dimensions("GET"),
    "PUT /api/account/dimensions": _dimensions("PUT"),
    "GET /api/dashboards/<int:dashboard_id>/schedule": _schedule("GET"),
    "PUT /api/dashboards/<int:dashboard_id>/schedule": _schedule("PUT"),
    "DELETE /api/dashboards/<int:dashboard_id>/schedule": _schedule("DELETE"),
    "GET /api/dashboards": _list_of("dashboards"),
    "POST /api/dashboards": _create_in("dashboards"),
    "GET /api/dashboards/<int:dashboard_id>": _member_of("dashboards", "GET"),
    "PUT /api/dashboards/<int:dashboard_id>": _member_of("dashboards", "PUT", body=True),
    "DELETE /api/dashboards/<int:dashboard_id>": _member_of("dashboards", "DELETE"),
    "GET /api/dashboards/<int:dashboard_id>/export": _member_of(
        "dashboards", "GET", "/export?format=csv"
    ),
    "GET /api/dashboards/<int:dashboard_id>/cards/<card_id>/export": _member_of(
        "dashboards", "GET", "/cards/c1/export?format=csv"
    ),
    "GET /api/flows": _list_of("flows"),
    "POST /api/flows": _create_in("flows"),
    "GET /api/flows/<int:flow_id>": _member_of("flows", "GET"),
    "PUT /api/flows/<int:flow_id>": _member_of("flows", "PUT", body=True),
    "DELETE /api/flows/<int:flow_id>": _member_of("flows", "DELETE"),
    "POST /api/flows/<int:flow_id>/activate": _member_of("flows", "POST", "/activate"),
    "POST /api/flows/<int:flow_id>/pause": _member_of("flows", "POST", "/pause"),
    "GET /api/flows/<int:flow_id>/versions": _member_of("flows", "GET", "/versions"),
    "POST /api/flows/<int:flow_id>/versions/<int:version>/restore": _member_of(
        "flows", "POST", "/versions/1/restore"
    ),
    "GET /api/flows/<int:flow_id>/stats": _member_of("flows", "GET", "/stats"),
    "GET /api/flows/<int:flow_id>/email": _member_of("flows", "GET", "/email"),
    "GET /api/segments": _list_of("segments"),
    "POST /api/segments": _create_in("segments"),
    "GET /api/segments/<int:segment_id>": _member_of("segments", "GET"),
    "PUT /api/segments/<int:segment_id>": _member_of("segments", "PUT", body=True),
    "DELETE /api/segments/<int:segment_id>": _member_of("segments", "DELETE"),
    "GET /api/segments/<int:segment_id>/members": _member_of("segments", "GET", "/members"),
    "POST /api/segments/preview": _segment_preview,
    "GET /api/forms": _list_of("forms"),
    "POST /api/forms": _create_in("forms"),
    "GET /api/forms/<int:form_id>": _member_of("forms", "GET"),
    "PUT /api/forms/<int:form_id>": _member_of("forms", "PUT", body=True),
    "DELETE /api/forms/<int:form_id>": _member_of("forms", "DELETE"),
    "POST /api/forms/<int:form_id>/publish": _member_of("forms", "POST", "/publish"),
    "POST /api/forms/<int:form_id>/unpublish": _member_of("forms", "POST", "/unpublish"),
    "POST /api/forms/<int:form_id>/duplicate": _member_of("forms", "POST", "/duplicate"),
    "GET /api/forms/<int:form_id>/versions": _member_of("forms", "GET", "/versions"),
    "GET /api/forms/<int:form_id>/stats": _member_of("forms", "GET", "/stats"),
    "GET /api/metrics": _metrics,
    "GET /api/metrics/<path:name>/series": _series,
    "GET /api/profiles": _profiles,
    "GET /api/profiles/<int:profile_id>": _profile,
    "GET /api/profiles/<int:profile_id>/export": _profile_export,
    "DELETE /api/profiles/<int:profile_id>": _profile_delete,
    "GET /api/audit": _audit,
    "GET /api/account": _account,
    "GET /api/keys": _list_keys,
    "POST /api/keys": _create_key,
    "DELETE /api/keys/<int:key_id>": _on_a_write_key("DELETE", ""),
    "POST /api/keys/<int:key_id>/rotate": _on_a_write_key("POST", "/rotate"),
    "GET /api/predictions": _predictions_status,
    "POST /api/predictions/refresh": _predictions_refresh,
    **CAMPAIGN_CASES,
    **LIST_CASES,
}
