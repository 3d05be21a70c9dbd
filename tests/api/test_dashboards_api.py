"""/api/dashboards CRUD on both stores: definitions round-trip, 400 names the bad field,
another account's dashboards are 404."""

from __future__ import annotations

import pytest


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


BODY = {
    "name": "Sales",
    "filters": {"range": "last_7_days", "country": "us"},
    "cards": [
        {
            "id": "orders",
            "metric": "Placed Order",
            "chart": "bar",
            "by": "country",
            "top": 3,
            "x": 0,
            "y": 0,
            "w": 6,
            "h": 2,
        },
        {
            "metric": "Placed Order",
            "measure": "revenue",
            "chart": "number",
            "compare": True,
            "range": {"start": "2026-11-01", "end": "2026-11-07"},
        },
    ],
}


def test_new_account_has_the_overview(client, account):
    r = client.get("/api/dashboards", headers=auth(account.private_key))
    assert r.status_code == 200
    [overview] = r.get_json()["dashboards"]
    assert overview["name"] == "Overview"
    charts = {c["chart"] for c in overview["cards"]}
    assert {"number", "map", "bar", "line"} <= charts
    metrics = {c["metric"] for c in overview["cards"]}
    assert {"Placed Order", "Submitted Form", "Opened Email", "Clicked Email"} <= metrics


def test_create_read_update_delete(client, account):
    h = auth(account.private_key)
    r = client.post("/api/dashboards", json=BODY, headers=h)
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    did = made["id"]
    assert made["filters"] == {"range": "last_7_days", "country": "US"}
    first, second = made["cards"]
    assert first["id"] == "orders" and first["by"] == "country" and first["top"] == 3
    assert second["id"] and second["title"] == "Placed Order"  # defaults filled in
    assert second["range"] == {"start": "2026-11-01", "end": "2026-11-07"}
    assert second["interval"] == "day" and second["compare"] is True

    got = client.get(f"/api/dashboards/{did}", headers=h).get_json()
    assert got["cards"] == made["cards"]

    changed = {**got, "name": "Sales (EU)", "cards": got["cards"][:1]}
    changed["cards"][0]["x"] = 6
    r = client.put(f"/api/dashboards/{did}", json=changed, headers=h)
    assert r.status_code == 200, r.get_json()
    again = client.get(f"/api/dashboards/{did}", headers=h).get_json()
    assert again["name"] == "Sales (EU)" and len(again["cards"]) == 1
    assert again["cards"][0]["x"] == 6

    assert client.delete(f"/api/dashboards/{did}", headers=h).status_code == 204
    assert client.get(f"/api/dashboards/{did}", headers=h).status_code == 404
    names = [d["name"] for d in client.get("/api/dashboards", headers=h).get_json()["dashboards"]]
    assert names == ["Overview"]


@pytest.mark.parametrize(
    "patch, field",
    [
        ({"name": " "}, "name"),
        ({"cards": "x"}, "cards"),
        ({"cards": [{"chart": "line"}]}, "cards[0].metric"),
        ({"cards": [{"metric": "A", "chart": "pie"}]}, "cards[0].chart"),
        ({"cards": [{"metric": "A", "interval": "minute"}]}, "cards[0].interval"),
        ({"cards": [{"metric": "A", "w": 13}]}, "cards[0].w"),
        ({"cards": [{"metric": "A", "top": 0}]}, "cards[0].top"),
        ({"cards": [{"metric": "A", "by": "shoe_size"}]}, "cards[0].by"),
        ({"cards": [{"metric": "A", "range": "last_week"}]}, "cards[0].range"),
        (
            {"cards": [{"metric": "A", "range": {"start": "2026-11-09", "end": "2026-11-01"}}]},
            "cards[0].range",
        ),
        ({"cards": [{"id": "a", "metric": "A"}, {"id": "a", "metric": "B"}]}, "cards[1].id"),
        ({"filters": {"country": "USA"}}, "filters.country"),
        ({"filters": {"city": "Paris"}}, "filters.city"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_definitions_are_400_naming_the_field(client, account, patch, field):
    r = client.post("/api/dashboards", json={**BODY, **patch}, headers=auth(account.private_key))
    assert r.status_code == 400
    body = r.get_json()
    assert body["field"] == field
    assert body["error"].startswith(field + ":")


def test_not_json_is_400(client, account):
    r = client.post("/api/dashboards", data="nope", headers=auth(account.private_key))
    assert r.status_code == 400


def test_other_accounts_dashboards_are_404(client, account, make_account):
    other = make_account("Other shop", email="other@shop.test")
    mine = client.post("/api/dashboards", json=BODY, headers=auth(account.private_key))
    did = mine.get_json()["id"]
    h = auth(other.private_key)
    assert client.get(f"/api/dashboards/{did}", headers=h).status_code == 404
    assert client.put(f"/api/dashboards/{did}", json=BODY, headers=h).status_code == 404
    assert client.delete(f"/api/dashboards/{did}", headers=h).status_code == 404
    theirs = client.get("/api/dashboards", headers=h).get_json()["dashboards"]
    assert [d["name"] for d in theirs] == ["Overview"]
    assert (
        client.get(f"/api/dashboards/{did}", headers=auth(account.private_key)).status_code == 200
    )


def test_routes_are_documented(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert set(paths["/api/dashboards"]) == {"get", "post"}
    assert set(paths["/api/dashboards/{dashboard_id}"]) == {"get", "put", "delete"}


def test_no_key_is_401(client, account):
    assert client.get("/api/dashboards").status_code == 401
