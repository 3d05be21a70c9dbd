"""Flows end to end: defined and activated through /api/flows, triggered by events sent
through /v1, e-mails received by a real SMTP server, time advanced by an injected clock."""

from __future__ import annotations

from datetime import timedelta

from backend.flows.runner import flow_engine
from backend.ingest import ingestor
from backend.store.db import utcnow
from tests.flows.helpers import identify_and_order, setup_flow

POST_PURCHASE = {
    "name": "Post-purchase",
    "trigger": {"type": "metric", "metric": "Placed Order"},
    "filters": [],
    "start": "thanks",
    "nodes": [
        {
            "id": "thanks",
            "type": "email",
            "subject": "Thanks {{ first_name }}",
            "body": "Order of ${{ event.revenue }} received.",
            "next": "wait",
        },
        {"id": "wait", "type": "delay", "minutes": 60, "next": "big"},
        {
            "id": "big",
            "type": "split",
            "where": [{"field": "event.revenue", "op": "gte", "value": 100}],
            "yes": "vip",
            "no": None,
        },
        {
            "id": "vip",
            "type": "email",
            "subject": "A gift for you, {{ first_name }}",
            "body": "Because you spent {{ event.revenue }}",
            "next": None,
        },
    ],
}


def test_post_purchase_flow_sends_exactly_the_expected_emails(flows_app, smtp_server):
    from backend.accounts.service import create_account

    rt = flows_app.extensions["tally"]
    with rt.db.session() as s:
        acc = create_account(s, "Shop")
    client = flows_app.test_client()
    fid, h = setup_flow(client, acc, POST_PURCHASE)
    identify_and_order(client, acc, "big", "big@x.test", "Bea", 150, "o1")
    identify_and_order(client, acc, "small", "small@x.test", "Sam", 20, "o2")
    ingestor(rt).drain()
    clock = [utcnow()]
    engine = flow_engine(rt, clock=lambda: clock[0])
    engine.run_until_idle()
    assert smtp_server.subjects() == ["Thanks Bea", "Thanks Sam"]
    assert "$150" in smtp_server.to("big@x.test")[0].get_body(("plain",)).get_content()
    clock[0] += timedelta(minutes=59)
    engine.run_until_idle()
    assert len(smtp_server.messages) == 2  # still waiting
    stats = client.get(f"/api/flows/{fid}/stats", headers=h).json
    assert stats["nodes"]["wait"]["waiting"] == 2
    clock[0] += timedelta(minutes=2)
    engine.run_until_idle()
    assert [str(m["Subject"]) for m in smtp_server.to("big@x.test")] == [
        "Thanks Bea",
        "A gift for you, Bea",
    ]
    assert [str(m["Subject"]) for m in smtp_server.to("small@x.test")] == [
        "Thanks Sam"
    ]  # the no branch: none
    stats = client.get(f"/api/flows/{fid}/stats", headers=h).json["nodes"]
    assert stats["big"]["yes"] == 1 and stats["big"]["no"] == 1
    assert stats["thanks"]["sent"] == 2 and stats["vip"]["sent"] == 1
    # Sent e-mails come back as events, counted per flow.
    ingestor(rt).drain()
    r = client.get("/api/metrics", headers=h).json["metrics"]
    assert {m["name"]: m["count"] for m in r}["Received Email"] == 3
    # A second order from the same profile does not re-enter the flow (no re-entry).
    identify_and_order(client, acc, "big", "big@x.test", "Bea", 300, "o3")
    ingestor(rt).drain()
    engine.run_until_idle()
    assert len(smtp_server.to("big@x.test")) == 2


def test_template_error_marks_its_node_and_a_dead_webhook_does_not_block(flows_app, smtp_server):
    from backend.accounts.service import create_account
    from tests.live_server import free_port

    rt = flows_app.extensions["tally"]
    with rt.db.session() as s:
        acc = create_account(s, "Shop")
    client = flows_app.test_client()
    broken = {
        **POST_PURCHASE,
        "name": "Broken",
        "start": "hook",
        "nodes": [
            {
                "id": "hook",
                "type": "webhook",
                "url": f"http://127.0.0.1:{free_port()}/dead",
                "next": None,
            }
        ],
    }
    templ = {
        **POST_PURCHASE,
        "name": "Templ",
        "start": "mail",
        "nodes": [
            {
                "id": "mail",
                "type": "email",
                "subject": "Hi",
                "body": "{{ first_name.nope() }}",
                "next": None,
            }
        ],
    }
    fid_hook, h = setup_flow(client, acc, broken)
    fid_mail, _ = setup_flow(client, acc, templ)
    identify_and_order(client, acc, "u", "u@x.test", "Una", 10, "o1")
    ingestor(rt).drain()
    clock = [utcnow()]
    engine = flow_engine(rt, clock=lambda: clock[0])
    engine.run_until_idle()
    hook = client.get(f"/api/flows/{fid_hook}/stats", headers=h).json["nodes"]["hook"]
    assert hook["retrying"] == 1 and hook["queued"] == 1  # will retry with backoff
    mail = client.get(f"/api/flows/{fid_mail}/stats", headers=h).json["nodes"]["mail"]
    assert mail["failed"] == 1
    for _ in range(4):
        clock[0] += timedelta(hours=1)
        engine.run_until_idle()
    hook = client.get(f"/api/flows/{fid_hook}/stats", headers=h).json["nodes"]["hook"]
    assert hook.get("failed") == 1 and "queued" not in hook
    assert smtp_server.messages == []
