"""Flows that filter and split on segment membership and on prediction fields, end to end:
defined through /api/flows, triggered by orders sent through /v1, e-mails received by a real
SMTP server. Membership is the stored one (a segment saved through /api/segments); the
predictions are rows of the predictions store, as a fit writes them."""

from __future__ import annotations

from sqlalchemy import select

from backend.flows.runner import flow_engine
from backend.ingest import ingestor
from backend.store.db import utcnow
from backend.store.models import Profile
from backend.store.prediction_models import ProfilePrediction
from tests.flows.helpers import setup_flow
from tests.ingest.conftest import basic

ORDER = {"type": "metric", "metric": "Placed Order"}


def _mail(node_id: str, subject: str) -> dict:
    return {"id": node_id, "type": "email", "subject": subject, "body": "Hi", "next": None}


def _shop(flows_app):
    from backend.accounts.service import create_account

    rt = flows_app.extensions["tally"]
    with rt.db.session() as s:
        acc = create_account(s, "Shop")
    return rt, acc, flows_app.test_client()


def _identify(client, acc, people: dict[str, dict]) -> None:
    for user, traits in people.items():
        r = client.post(
            "/v1/identify",
            json={"userId": user, "traits": {"email": f"{user}@x.test", **traits}},
            headers=basic(acc.write_key),
        )
        assert r.status_code == 200


def _order(client, acc, user: str) -> None:
    r = client.post(
        "/v1/track",
        json={"userId": user, "event": "Placed Order", "properties": {"revenue": 10}},
        headers=basic(acc.write_key),
    )
    assert r.status_code == 200


def _subjects(smtp_server, user: str) -> list[str]:
    return [str(m["Subject"]) for m in smtp_server.to(f"{user}@x.test")]


def test_a_split_on_segment_membership_sends_each_profile_down_its_branch(flows_app, smtp_server):
    rt, acc, client = _shop(flows_app)
    _identify(client, acc, {"gold": {"plan": "gold"}, "free": {"plan": "free"}, "none": {}})
    ingestor(rt).drain()
    h = {"Authorization": f"Bearer {acc.private_key}"}
    gold = {"type": "property", "field": "traits.plan", "op": "eq", "value": "gold"}
    r = client.post("/api/segments", json={"name": "Gold", "conditions": [[gold]]}, headers=h)
    assert r.status_code == 201, r.json
    sid = r.json["id"]
    flow = {
        "name": "Gold or not",
        "trigger": ORDER,
        "filters": [],
        "start": "split",
        "nodes": [
            {
                "id": "split",
                "type": "split",
                "where": [{"segment": sid, "member": True}],
                "yes": "in",
                "no": "out",
            },
            _mail("in", "For our gold members"),
            _mail("out", "Go gold"),
        ],
    }
    fid, _ = setup_flow(client, acc, flow)
    for user in ("gold", "free", "none"):
        _order(client, acc, user)
    ingestor(rt).drain()
    flow_engine(rt).run_until_idle()
    assert _subjects(smtp_server, "gold") == ["For our gold members"]
    assert _subjects(smtp_server, "free") == ["Go gold"]
    assert _subjects(smtp_server, "none") == ["Go gold"]
    stats = client.get(f"/api/flows/{fid}/stats", headers=h).json["nodes"]
    assert stats["split"]["yes"] == 1 and stats["split"]["no"] == 2
    saved = client.get(f"/api/flows/{fid}", headers=h).json
    assert saved["nodes"][0]["where"] == [{"segment": sid, "member": True}]


def _predict(rt, acc, churn: dict[str, float]) -> None:
    """Prediction rows for some profiles, as a fit writes them; the others have none."""
    now = utcnow()
    with rt.db.session() as s:
        for user, p in churn.items():
            pid = s.scalar(
                select(Profile.id).where(Profile.account_id == acc.id, Profile.external_id == user)
            )
            s.add(
                ProfilePrediction(
                    account_id=acc.id,
                    profile_id=pid,
                    historic_clv=50.0,
                    predicted_clv=100.0 * (1 - p),
                    total_clv=50.0 + 100.0 * (1 - p),
                    expected_orders=2.0 * (1 - p),
                    churn_probability=p,
                    average_order_value=25.0,
                    fitted_at=now,
                )
            )


def test_a_filter_on_churn_risk_and_a_split_on_predictions_existing(flows_app, smtp_server):
    rt, acc, client = _shop(flows_app)
    _identify(client, acc, {"leaving": {}, "staying": {}, "edge": {}, "unknown": {}})
    ingestor(rt).drain()
    _predict(rt, acc, {"leaving": 0.8, "staying": 0.3, "edge": 0.6})
    win_back = {
        "name": "Win-back",
        "trigger": ORDER,
        "filters": [{"field": "predictions.churn_probability", "op": "gt", "value": 0.6}],
        "start": "mail",
        "nodes": [_mail("mail", "We miss you")],
    }
    known = {
        "name": "Known or not",
        "trigger": ORDER,
        "filters": [],
        "start": "split",
        "nodes": [
            {
                "id": "split",
                "type": "split",
                "where": [{"field": "predictions.predicted_clv", "op": "not_exists"}],
                "yes": "new",
                "no": "vip",
            },
            _mail("new", "No prediction yet"),
            {
                "id": "vip",
                "type": "split",
                "where": [{"field": "predictions.predicted_clv", "op": "gte", "value": 30}],
                "yes": "big",
                "no": None,
            },
            _mail("big", "Predicted CLV over 30"),
        ],
    }
    setup_flow(client, acc, win_back)
    setup_flow(client, acc, known)
    for user in ("leaving", "staying", "edge", "unknown"):
        _order(client, acc, user)
    ingestor(rt).drain()
    flow_engine(rt).run_until_idle()
    # churn > 0.6: only "leaving"; 0.6 itself is not above it; no prediction never matches.
    assert _subjects(smtp_server, "leaving") == ["We miss you"]
    assert "We miss you" not in _subjects(smtp_server, "edge")
    assert "We miss you" not in _subjects(smtp_server, "unknown")
    # Predicted CLV: leaving 20, staying 70, edge 40; "unknown" has none.
    assert _subjects(smtp_server, "unknown") == ["No prediction yet"]
    assert _subjects(smtp_server, "staying") == ["Predicted CLV over 30"]
    assert _subjects(smtp_server, "edge") == ["Predicted CLV over 30"]
    assert "Predicted CLV over 30" not in _subjects(smtp_server, "leaving")


def test_bad_conditions_are_400_naming_their_place_and_save_nothing(client, account):
    h = {"Authorization": f"Bearer {account.private_key}"}
    base = {"name": "F", "trigger": ORDER, "filters": [], "start": "mail"}
    mail = _mail("mail", "Hi")
    split = {"id": "split", "type": "split", "yes": None, "no": None}
    cases = {
        "filters[0].field: must be one of predictions.historic_clv": {
            "filters": [{"field": "predictions.churn_risk", "op": "gt", "value": 0.6}],
            "nodes": [mail],
        },
        "filters[1].value: must be text, a number or a boolean": {
            "filters": [
                {"field": "country", "op": "eq", "value": "US"},
                {"field": "predictions.churn_probability", "op": "gt", "value": [0.6]},
            ],
            "nodes": [mail],
        },
        "filters[0].op: must be one of eq, ne, gt": {
            "filters": [{"field": "predictions.total_clv", "op": "contains", "value": 1}],
            "nodes": [mail],
        },
        "node 'split': where[0].segment: must be a segment id": {
            "start": "split",
            "nodes": [{**split, "where": [{"segment": "VIP"}]}],
        },
        "node 'split': where[1].member: must be true or false": {
            "start": "split",
            "nodes": [{**split, "where": [{"segment": 3}, {"segment": 4, "member": "no"}]}],
        },
        "trigger.where[0].value: missing": {
            "trigger": {**ORDER, "where": [{"field": "event.sku", "op": "eq"}]},
            "nodes": [mail],
        },
    }
    for named, change in cases.items():
        r = client.post("/api/flows", json={**base, **change}, headers=h)
        assert r.status_code == 400, (named, r.json)
        assert named in r.json["error"], (named, r.json)
    assert client.get("/api/flows", headers=h).json["flows"] == []
    # exists / not_exists need no value; a segment condition defaults to member: true.
    ok = {
        **base,
        "filters": [
            {"field": "predictions.expected_next_order", "op": "exists"},
            {"field": "traits.plan", "op": "not_exists"},
            {"segment": 1},
        ],
        "nodes": [mail],
    }
    assert client.post("/api/flows", json=ok, headers=h).status_code == 201


def test_segments_used_names_every_place_a_flow_reads_a_segment():
    from backend.flows.schema import segments_used

    flow = {
        "trigger": {"type": "segment", "segment": 1},
        "filters": [{"segment": 2, "member": False}, {"field": "country", "op": "exists"}],
        "nodes": [
            {"id": "s", "type": "split", "where": [{"segment": 3}], "yes": None, "no": None},
            {"id": "m", "type": "email", "subject": "x", "body": "y", "next": None},
        ],
    }
    assert segments_used(flow) == {1, 2, 3}
    flow["trigger"] = {"type": "metric", "metric": "Placed Order", "where": [{"segment": 4}]}
    assert segments_used(flow) == {2, 3, 4}
    assert segments_used({"trigger": {"type": "list", "list": "VIP"}, "nodes": []}) == set()
