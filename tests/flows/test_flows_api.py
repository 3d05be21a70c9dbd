"""/api/flows on both stores: CRUD, versions, activate/pause, isolation."""

from __future__ import annotations

THANKS = {
    "name": "Post-purchase thank-you",
    "trigger": {"type": "metric", "metric": "Placed Order"},
    "filters": [],
    "start": "thanks",
    "nodes": [
        {
            "id": "thanks",
            "type": "email",
            "subject": "Thank you, {{ first_name }}",
            "body": "We got your order of {{ event.revenue }}.",
            "next": None,
        }
    ],
}


def bearer(acc):
    return {"Authorization": f"Bearer {acc.private_key}"}


def test_crud_versions_and_status(client, account):
    h = bearer(account)
    r = client.post("/api/flows", json=THANKS, headers=h)
    assert r.status_code == 201
    flow = r.json
    assert flow["status"] == "draft" and flow["version"] == 1
    assert {k: flow[k] for k in THANKS} == THANKS  # exactly the docs/api.md shape back
    fid = flow["id"]
    renamed = {**THANKS, "name": "Thanks!"}
    assert client.put(f"/api/flows/{fid}", json=renamed, headers=h).json["version"] == 2
    versions = client.get(f"/api/flows/{fid}/versions", headers=h).json["versions"]
    assert [v["version"] for v in versions] == [2, 1]
    restored = client.post(f"/api/flows/{fid}/versions/1/restore", headers=h).json
    assert restored["name"] == THANKS["name"] and restored["version"] == 3
    assert client.post(f"/api/flows/{fid}/activate", headers=h).json["status"] == "live"
    assert client.post(f"/api/flows/{fid}/pause", headers=h).json["status"] == "paused"
    assert [f["id"] for f in client.get("/api/flows", headers=h).json["flows"]] == [fid]
    assert client.delete(f"/api/flows/{fid}", headers=h).status_code == 204
    assert client.get(f"/api/flows/{fid}", headers=h).status_code == 404


def test_invalid_graph_is_400_naming_the_node(client, account):
    bad = {**THANKS, "nodes": [{**THANKS["nodes"][0], "next": "nowhere"}]}
    r = client.post("/api/flows", json=bad, headers=bearer(account))
    assert r.status_code == 400
    assert "thanks" in r.json["error"] and "nowhere" in r.json["error"]
    assert r.json["problems"] == [
        {"node": "thanks", "problem": "'next' points to unknown node 'nowhere'"}
    ]
    assert client.get("/api/flows", headers=bearer(account)).json["flows"] == []


def test_activating_an_incomplete_flow_is_refused_with_reasons(client, account):
    draft = {
        **THANKS,
        "nodes": [{"id": "thanks", "type": "email", "subject": "", "body": "", "next": None}],
    }
    fid = client.post("/api/flows", json=draft, headers=bearer(account)).json["id"]
    r = client.post(f"/api/flows/{fid}/activate", headers=bearer(account))
    assert r.status_code == 400
    assert {p["problem"] for p in r.json["problems"]} == {
        "the e-mail needs a subject",
        "the e-mail needs a body",
    }
    assert client.get(f"/api/flows/{fid}", headers=bearer(account)).json["status"] == "draft"


def test_another_accounts_flow_is_404(client, account, make_account):
    other = make_account("Other")
    fid = client.post("/api/flows", json=THANKS, headers=bearer(account)).json["id"]
    for method, path in [
        ("get", ""),
        ("put", ""),
        ("delete", ""),
        ("post", "/activate"),
        ("post", "/pause"),
        ("get", "/versions"),
        ("get", "/stats"),
    ]:
        r = getattr(client, method)(f"/api/flows/{fid}{path}", json=THANKS, headers=bearer(other))
        assert r.status_code == 404, (method, path)
    assert client.get(f"/api/flows/{fid}", headers=bearer(account)).status_code == 200


def test_bad_bodies(client, account):
    h = bearer(account)
    assert client.post("/api/flows", data="nope", headers=h).status_code == 400
    assert client.post("/api/flows", json=[1], headers=h).status_code == 400
    assert client.post("/api/flows", json={"name": "x"}, headers=h).status_code == 400


def test_lists_and_objects_where_names_belong_are_400_naming_them(client, account):
    """They used to raise deep in the check (unhashable in a set lookup): a 500."""
    h = bearer(account)
    node = THANKS["nodes"][0]
    cases = {
        "filters[0].op": {
            **THANKS,
            "filters": [{"metric": "Placed Order", "op": ["gte"], "count": 1, "days": 7}],
        },
        "trigger.where[0].op": {
            **THANKS,
            "trigger": {
                "type": "metric",
                "metric": "Placed Order",
                "where": [{"field": "country", "op": {"eq": 1}, "value": "US"}],
            },
        },
        "unknown node type": {**THANKS, "nodes": [{**node, "type": ["email"]}]},
        "points to unknown node": {**THANKS, "nodes": [{**node, "next": "x"}, {"id": ["x"]}]},
        "start must be the id of a node": {**THANKS, "start": ["thanks"]},
    }
    for named, body in cases.items():
        r = client.post("/api/flows", json=body, headers=h)
        assert r.status_code == 400, (named, r.status_code)
        assert named in r.get_json()["error"], (named, r.get_json())
    assert client.get("/api/flows", headers=h).get_json()["flows"] == []
