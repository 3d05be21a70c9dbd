"""A profile created after the fit (no prediction row of its own) has the new customer's
figures everywhere: the profile API, a segment condition and a flow filter, all through the
API, after a real fit (service.run_pending, as the jobs process runs it). On both stores."""

from __future__ import annotations

from backend.flows.runner import flow_engine
from backend.ingest import ingestor
from backend.predictions import service
from tests.ingest.conftest import basic

ORDER = {"type": "metric", "metric": "Placed Order"}


def _auth(account) -> dict:
    return {"Authorization": f"Bearer {account.private_key}"}


def _flow(client, account, name: str, clv_at_least: float) -> int:
    """A live flow on orders, filtered on predicted CLV, whose one step waits (no e-mail)."""
    flow = {
        "name": name,
        "trigger": ORDER,
        "filters": [{"field": "predictions.predicted_clv", "op": "gte", "value": clv_at_least}],
        "start": "wait",
        "nodes": [{"id": "wait", "type": "delay", "minutes": 60, "next": None}],
    }
    r = client.post("/api/flows", json=flow, headers=_auth(account))
    assert r.status_code == 201, r.json
    fid = r.json["id"]
    assert client.post(f"/api/flows/{fid}/activate", headers=_auth(account)).status_code == 200
    return fid


def _segment_ids(client, account, clv_at_least: float) -> set[int]:
    cond = {"type": "prediction", "field": "predicted_clv", "op": "gte", "value": clv_at_least}
    body = {"name": f"CLV >= {clv_at_least}", "conditions": [[cond]]}
    r = client.post("/api/segments", json=body, headers=_auth(account))
    assert r.status_code == 201, r.json
    got = client.get(f"/api/segments/{r.json['id']}/members?limit=1000", headers=_auth(account))
    assert got.json["next"] is None
    return {m["id"] for m in got.json["members"]}


def test_a_profile_created_after_the_fit_is_a_new_customer_in_segments_and_flows(
    client, runtime, account, store_with_history
):
    assert client.post("/api/predictions/refresh", headers=_auth(account)).status_code == 202
    assert account.id in service.run_pending(runtime.db)
    fit = client.get("/api/predictions", headers=_auth(account)).json
    assert fit["status"] == "ready", fit["gates"]

    # Created after the fit, through /v1: no prediction row until the next fit.
    w = basic(account.write_key)
    r = client.post(
        "/v1/identify", json={"userId": "late", "traits": {"email": "late@shop.test"}}, headers=w
    )
    assert r.status_code == 200
    ingestor(runtime).drain()
    late = client.get("/api/profiles?email=late@shop.test", headers=_auth(account)).json["id"]

    # The profile API: the new customer's figures, the same as a stored profile that never
    # ordered (its row was written by the fit).
    shown = client.get(f"/api/profiles/{late}", headers=_auth(account)).json["predictions"]
    never_ordered = store_with_history["browser@shop.test"]
    stored = client.get(f"/api/profiles/{never_ordered}", headers=_auth(account)).json
    assert shown is not None and shown == stored["predictions"]
    clv = shown["predicted_clv"]
    assert clv > 0

    # Segments: just below the new customer's figure takes it in; just above leaves it out.
    below, above = (
        _segment_ids(client, account, clv * 0.99),
        _segment_ids(client, account, clv * 1.01),
    )
    assert late in below and never_ordered in below
    assert late not in above and never_ordered not in above
    assert len(below) > len(above) > 0  # some customers are worth more than a newcomer

    # Flows: the same conditions as filters, on the late profile's first order.
    takes, leaves = (
        _flow(client, account, "Worth a newcomer", clv * 0.99),
        _flow(client, account, "Worth more", clv * 1.01),
    )
    r = client.post(
        "/v1/track",
        json={"userId": "late", "event": "Placed Order", "properties": {"revenue": 10}},
        headers=w,
    )
    assert r.status_code == 200
    ingestor(runtime).drain()
    flow_engine(runtime).run_until_idle()
    entered = {
        fid: client.get(f"/api/flows/{fid}/stats", headers=_auth(account)).json["entered"]
        for fid in (takes, leaves)
    }
    assert entered == {takes: 1, leaves: 0}
    # Still no row of its own, still the new customer's figures.
    again = client.get(f"/api/profiles/{late}", headers=_auth(account)).json["predictions"]
    assert again == shown


def test_without_a_fit_that_met_the_gates_a_new_profile_has_no_predictions(client, account):
    w = basic(account.write_key)
    r = client.post(
        "/v1/identify", json={"userId": "solo", "traits": {"email": "solo@shop.test"}}, headers=w
    )
    assert r.status_code == 200
    assert _segment_ids(client, account, 0) == set()  # null meets no `gte`, not even 0
