"""E-mail in a real browser: the unsubscribe page of a flow e-mail asks first, its button
unsubscribes, and the flow's next e-mail is then suppressed; Settings shows the address
under Suppressions and the sending DNS records."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
import requests

from tests.browser.helpers import log_in, open_page, until

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
FLOW = {
    "name": "Thanks",
    "trigger": {"type": "metric", "metric": "Placed Order"},
    "filters": [],
    "start": "thanks",
    "nodes": [{"id": "thanks", "type": "email", "subject": "Thanks", "body": "Hi", "next": None}],
}


@pytest.fixture(scope="module")
def mail_shop(live_app):
    """An account of its own with one subscribed profile and a flow e-mail composed for it."""
    from backend.accounts.service import create_account
    from backend.email.compose import EmailContext, compose
    from backend.store.models import Profile

    rt = live_app.app.extensions["tally"]
    with rt.db.session() as s:
        acc = create_account(s, "Mail Shop", email="mail@shop.test", password=PASSWORD)
        p = Profile(
            account_id=acc.id,
            external_id="reader-1",
            email="reader@example.com",
            email_status="subscribed",
        )
        s.add(p)
        s.flush()
        out = compose(
            EmailContext.for_account(rt, acc.id),
            p,
            subject="Hello",
            body="Hi",
            source={"flow": 1, "node": "hello"},
        )
    return acc, p.id, urlparse(str(out.msg["List-Unsubscribe"]).strip("<>")).path


def test_the_unsubscribe_page_asks_then_its_button_stops_the_next_flow_email(
    dash_duo, live_app, mail_shop
):
    from backend.flows.runner import flow_engine
    from backend.ingest import ingestor
    from backend.store.models import Profile

    acc, pid, path = mail_shop
    rt = live_app.app.extensions["tally"]
    dash_duo.driver.get(live_app.url + path)
    heading = dash_duo.wait_for_element("h1")
    assert heading.text == "Unsubscribe reader@example.com?"
    with rt.db.session() as s:
        assert s.get(Profile, pid).email_status == "subscribed"  # the GET changed nothing
    dash_duo.find_element("#unsubscribe-confirm").click()
    until(dash_duo, lambda d: "You are unsubscribed" in d.find_element("css selector", "h1").text)
    with rt.db.session() as s:
        assert s.get(Profile, pid).email_status == "unsubscribed"

    h = {"Authorization": f"Bearer {acc.private_key}"}
    fid = requests.post(f"{live_app.url}/api/flows", json=FLOW, headers=h, timeout=10).json()["id"]
    requests.post(f"{live_app.url}/api/flows/{fid}/activate", headers=h, timeout=10)
    ingestor(rt).accept(
        acc.id,
        [{"type": "track", "event": "Placed Order", "userId": "reader-1", "messageId": "bo-1"}],
    )
    ingestor(rt).drain()
    flow_engine(rt).run_until_idle()
    stats = requests.get(f"{live_app.url}/api/flows/{fid}/stats", headers=h, timeout=10).json()
    assert stats["nodes"]["thanks"].get("suppressed") == 1
    assert "sent" not in stats["nodes"]["thanks"]


def test_settings_lists_the_suppression_and_the_sending_records(dash_duo, live_app, mail_shop):
    from backend.email.suppression import set_status
    from backend.store.models import Profile

    _, pid, _ = mail_shop
    with live_app.app.extensions["tally"].db.session() as s:  # as the test above leaves it
        set_status(s, s.get(Profile, pid), "unsubscribed", "unsubscribe page", None)
    log_in(dash_duo, live_app, "mail@shop.test")
    open_page(dash_duo, f"{live_app.url}/settings")
    table = dash_duo.wait_for_element("#suppressions-table")
    assert "reader@example.com" in table.text and "unsubscribed" in table.text.lower()
    assert "_dmarc." in dash_duo.find_element("#settings-sending-records").text
    dash_duo.find_element("#suppressions-add-email").send_keys("angry@example.com")
    dash_duo.find_element("#suppressions-reason").send_keys("asked by phone")
    dash_duo.find_element("#suppressions-add").click()
    until(
        dash_duo,
        lambda d: "angry@example.com" in d.find_element("css selector", "#suppressions-table").text,
    )
    assert dash_duo.get_logs() == []
