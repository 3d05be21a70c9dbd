"""A flow's e-mail node through the one e-mail path: a real SMTP server receives tracked,
unsubscribable mail; suppression is checked at the moment of sending, so an unsubscribe
between two e-mails stops the second, and a suppressed profile's journey goes on."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

import pytest

from backend.flows.runner import flow_engine
from backend.store.db import utcnow
from tests.email.conftest import stored_events
from tests.flows.helpers import identify_and_order, setup_flow

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


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_each_email_node_shows_its_numbers_and_the_revenue_it_earned(
    app, client, runtime, account, inbox
):
    import time

    from backend.email.tokens import Signer
    from backend.ingest import ingestor
    from tests.conftest import TEST_SECRET
    from tests.ingest.conftest import basic

    fid, h = setup_flow(client, account, SERIES)
    identify_and_order(client, account, "u1", "ann@x.test", "Ann", 30, "o1")
    ingestor(runtime).drain()
    flow_engine(runtime).run_until_idle()
    [mail] = inbox.messages
    html = mail.get_body(("html",)).get_content()
    pixel = urlparse(html.split('<img src="')[1].split('"')[0]).path
    token = pixel.split("/")[3].removesuffix(".gif")
    signer = Signer.from_secret(TEST_SECRET)
    # Opened an hour after it was sent, in a browser: a person's open. A scanner's fetch
    # right away counts apart.
    older = signer.message_token({**signer.read_message(token), "t": int(time.time()) - 3600})
    browser = {"User-Agent": "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Safari/605.1.15"}
    assert client.get(f"/e/o/{older}.gif", headers=browser).status_code == 200
    assert client.get(pixel, headers={"User-Agent": "Barracuda/1.0"}).status_code == 200
    # Then the order: within 5 days of the open, so the e-mail earned it.
    client.post(
        "/v1/track",
        json={
            "userId": "u1",
            "event": "Placed Order",
            "messageId": "o-after",
            "properties": {"revenue": 55.5},
        },
        headers=basic(account.write_key),
    )
    ingestor(runtime).drain()
    r = client.get(f"/api/flows/{fid}/email", headers=h)
    assert r.status_code == 200
    first = r.json["nodes"]["first"]
    assert (first["sent"], first["opened"], first["machine_opened"]) == (1, 1, 1)
    assert first["open_rate"] == 1.0 and first["clicked"] == 0
    assert (first["orders"], first["revenue"]) == (1, 55.5)  # o1 came before: not earned
    assert r.json["nodes"]["second"]["sent"] == 0
    assert client.get("/api/flows/999999/email", headers=h).status_code == 404
    # The canvas and the report read the same numbers into the node stats.
    from backend.email.stats import with_flow_email_numbers
    from backend.flows import service

    with runtime.db.session() as s:
        stats = with_flow_email_numbers(
            runtime, s, account.id, fid, service.stats(s, account.id, fid)
        )
    assert {k: stats["nodes"]["first"][k] for k in ("sent", "opened", "revenue")} == {
        "sent": 1,
        "opened": "1 (100%)",
        "revenue": "55.50",
    }
