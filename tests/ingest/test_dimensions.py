"""An account chooses which event properties are counted as dimensions."""

from __future__ import annotations

from backend.ingest import ingestor
from tests.ingest.conftest import basic


def test_marking_a_property_as_a_dimension_counts_it(client, account, runtime, totals):
    h = {"Authorization": f"Bearer {account.private_key}"}
    assert client.get("/api/account/dimensions", headers=h).json["dimensions"] == [
        "country",
        "utm_campaign",
        "utm_source",
        "$flow",
        "$form",
        "$email",  # each e-mail (flow node or campaign), so its numbers come from counters
    ]
    r = client.put(
        "/api/account/dimensions", json={"dimensions": ["utm_campaign", "sku", "sku"]}, headers=h
    )
    assert r.status_code == 200 and r.json["dimensions"] == ["country", "utm_campaign", "sku"]
    client.post(
        "/v1/track",
        json={
            "userId": "u",
            "event": "Viewed Product",
            "messageId": "d1",
            "properties": {"sku": "A-1", "utm_source": "mail"},
        },
        headers=basic(account.write_key),
    )
    ingestor(runtime).drain()
    assert totals(account.id, "Viewed Product", "sku") == {"A-1": (1, 0.0)}
    assert totals(account.id, "Viewed Product", "utm_source") == {}  # no longer a dimension
    r = client.get("/api/metrics/Viewed%20Product/series?by=sku", headers=h)
    assert r.status_code == 200 and {s["key"] for s in r.json["series"]} == {"A-1"}


def test_bad_dimension_lists_are_refused(client, account):
    h = {"Authorization": f"Bearer {account.private_key}"}
    for body in (
        {"dimensions": "sku"},
        {"dimensions": ["ok", "has space"]},
        {"dimensions": ["revenue"]},
        {"dimensions": [f"d{i}" for i in range(21)]},
    ):
        r = client.put("/api/account/dimensions", json=body, headers=h)
        assert r.status_code == 400 and r.json["error"], body
    assert "utm_campaign" in client.get("/api/account/dimensions", headers=h).json["dimensions"]
