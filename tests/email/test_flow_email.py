"""A flow's e-mail node through the one e-mail path: a real SMTP server receives tracked,
unsubscribable mail; suppression is checked at the moment of sending, so an unsubscribe
between two e-mails stops the second, and a suppressed profile's journey goes on."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

from backend.flows.runner import flow_engine
from backend.store.db import utcnow
from tests.email.conftest import stored_events
from tests.flows.test_engine import identify_and_order, setup_flow

SERIES = {
    "name": "Thank-you series",
    "trigger": {"type": "metric", "metric": "Placed Order"},
    "filters": [],
    "start": "first",
    "nodes": [
        {
            "id": "first",
            "type": "email",
            "subject": "Thanks {{ first_name }}",
            "body": "See https://shop.example.com/care",
            "next": "wait",
        },
        {"id": "wait", "type": "delay", "minutes": 60, "next": "second"},
        {"id": "second", "type": "email", "subject": "Review?", "body": "Tell us", "next": "tag"},
        {"id": "tag", "type": "update_profile", "traits": {"asked": True}, "next": None},
    ],
}


def test_an_unsubscribe_between_two_emails_stops_the_second_and_the_flow_goes_on(
    app, client, runtime, account, inbox
):
    from backend.ingest import ingestor
    from backend.store.models import Profile

    fid, h = setup_flow(client, account, SERIES)
    identify_and_order(client, account, "u1", "ann@x.test", "Ann", 30, "o1")
    identify_and_order(client, account, "u2", "bob@x.test", "Bob", 40, "o2")
    ingestor(runtime).drain()
    with runtime.db.session() as s:  # Bob bounced before: he gets nothing from the start
        s.query(Profile).filter_by(email="bob@x.test").update({"email_status": "bounced"})
    clock = [utcnow()]
    engine = flow_engine(runtime, clock=lambda: clock[0])
    engine.run_until_idle()

    assert [str(m["To"]) for m in inbox.messages] == ["ann@x.test"]
    first = inbox.messages[0]
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/e/c/" in first.get_body(("plain",)).get_content()
    unsub = urlparse(first["List-Unsubscribe"].strip().strip("<>")).path
    assert client.post(unsub, data={"List-Unsubscribe": "One-Click"}).status_code == 200

    clock[0] += timedelta(minutes=61)
    engine.run_until_idle()
    assert len(inbox.messages) == 1  # Ann unsubscribed after entering: no second e-mail
    stats = client.get(f"/api/flows/{fid}/stats", headers=h).json
    nodes = stats["nodes"]
    assert (nodes["first"]["sent"], nodes["first"]["suppressed"]) == (1, 1)
    assert nodes["second"]["suppressed"] == 2 and "sent" not in nodes["second"]
    assert nodes["tag"]["updated"] == 2  # both journeys went on past the e-mails

    received = stored_events(runtime, "Received Email")
    assert [(e[2]["flow"], e[2]["node"], e[2]["subject"]) for e in received] == [
        (str(fid), "first", "Thanks Ann")
    ]
