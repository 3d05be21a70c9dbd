"""The demo's flow e-mails: their links lead to the demo server and work there: the shop
link is a tracked click landing on the demo storefront, the unsubscribe page answers."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from backend.flows.runner import flow_engine
from tests.email.conftest import stored_events
from tests.flows.helpers import identify_and_order

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_a_demo_flow_email_links_to_the_demo_and_its_links_work(client, runtime, account, inbox):
    from backend.demo.flows import DEMO_SHOP, create_demo_flows
    from backend.ingest import ingestor

    with runtime.db.session() as s:
        create_demo_flows(s, account.id)
    identify_and_order(client, account, "u1", "ann@x.test", "Ann", 30, "o1")
    ingestor(runtime).drain()
    flow_engine(runtime).run_until_idle()
    [mail] = inbox.to("ann@x.test")
    text = mail.get_body(("plain",)).get_content()
    click = next(w for w in text.split() if "/e/c/" in w)
    assert click.startswith("https://tally.acme.test/e/c/")  # TALLY_PUBLIC_URL
    r = client.get(urlparse(click).path + "?" + urlparse(click).query)
    assert r.status_code == 302 and r.headers["Location"] == DEMO_SHOP
    unsub = urlparse(str(mail["List-Unsubscribe"]).strip().strip("<>")).path
    assert client.get(unsub).status_code == 200
    [(_, _, props)] = stored_events(runtime, "Clicked Email")
    assert props["url"] == DEMO_SHOP
