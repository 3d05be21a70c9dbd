"""The account time zone in a real browser: the dashboard says its zone and links to Settings;
a zone chosen there (searchable list, keyboard) moves an order made at 02:00 UTC onto the
previous day, as New York saw it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.helpers import log_in, open_page, settle, until

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def zone_shop(live_app):
    """An account of its own (the zone it sets must not leak into other tests) with one order
    at 02:00 UTC yesterday, and a dashboard of two one-day cards: that UTC day and the one
    before."""
    from backend.accounts.service import create_account
    from backend.ingest import ingestor

    rt = live_app.app.extensions["tally"]
    with rt.db.session() as s:
        acc = create_account(s, "Zone Shop", email="zone@shop.test", password=PASSWORD)
    day = datetime.now(UTC).date() - timedelta(days=1)
    at = datetime.combine(day, time(2), tzinfo=UTC)
    ing = ingestor(rt)
    ing.accept(
        acc.id,
        [
            {
                "type": "track",
                "event": "Placed Order",
                "userId": "night-owl",
                "messageId": str(uuid.uuid4()),
                "timestamp": at.isoformat(),
                "properties": {"revenue": 30},
            }
        ],
    )
    ing.drain()

    def one_day(cid, d, x):
        return {
            "id": cid,
            "title": f"Orders {d}",
            "metric": "Placed Order",
            "chart": "number",
            "range": {"start": d.isoformat(), "end": d.isoformat()},
            "x": x,
            "y": 0,
            "w": 4,
            "h": 1,
        }

    r = requests.post(
        f"{live_app.url}/api/dashboards",
        timeout=10,
        headers={"Authorization": f"Bearer {acc.private_key}"},
        json={
            "name": "Nights",
            "cards": [one_day("before", day - timedelta(1), 0), one_day("utc-day", day, 4)],
        },
    )
    r.raise_for_status()
    return acc, r.json()["id"]


def shown(dash_duo, card_id: str) -> int | None:
    """The card's number; 0 when it says it has no events; None while it is drawn."""
    if dash_duo.find_elements(f"#dcard-{card_id} .dcard-empty"):
        return 0
    els = dash_duo.find_elements(f"#dcard-{card_id} .dcard-number")
    return int(els[0].get_attribute("title").replace(",", "")) if els else None


def counts(dash_duo) -> tuple[int | None, int | None]:
    return shown(dash_duo, "before"), shown(dash_duo, "utc-day")


def test_a_zone_set_on_settings_moves_the_dashboard_days(dash_duo, live_app, zone_shop):
    acc, did = zone_shop
    log_in(dash_duo, live_app, "zone@shop.test")
    open_page(dash_duo, f"{live_app.url}/dashboards/{did}")
    dash_duo.wait_for_contains_text("#dash-timezone", "Times in UTC")
    until(dash_duo, lambda _: counts(dash_duo) == (0, 1))

    # The note is a link to Settings, where the zone is picked from a searchable list.
    dash_duo.find_element("#dash-timezone").click()
    box = dash_duo.wait_for_element("#settings-timezone")
    settle(dash_duo)
    assert box.get_attribute("value") == "UTC"
    label_for = dash_duo.find_element("label[for=settings-timezone]").text
    assert "Account time zone" in label_for  # the input has its label
    box.click()
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("New York")  # the city as people write it, with its space
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: any(
            o.text.startswith("America/New_York")
            for o in d.find_elements(By.CSS_SELECTOR, "[role=option]")
        )
    )
    box.send_keys(Keys.ARROW_DOWN, Keys.ENTER)  # keyboard only
    until(dash_duo, lambda _: box.get_attribute("value").startswith("America/New_York"))
    dash_duo.find_element("#settings-timezone-save").click()
    dash_duo.wait_for_contains_text("#settings-timezone-status", "now use America/New_York")

    # 02:00 UTC is the evening before in New York: the order moves to the earlier card.
    open_page(dash_duo, f"{live_app.url}/dashboards/{did}")
    dash_duo.wait_for_contains_text("#dash-timezone", "Times in America/New_York")
    until(dash_duo, lambda _: counts(dash_duo) == (1, 0))
    assert dash_duo.get_logs() == []


def test_aliases_resolve_and_unmatched_text_is_refused_saying_so(dash_duo, live_app):
    from backend.accounts.service import create_account
    from backend.accounts.timezones import get_timezone

    rt = live_app.app.extensions["tally"]
    with rt.db.session() as s:
        acc = create_account(s, "Alias Shop", email="alias@shop.test", password=PASSWORD)
    log_in(dash_duo, live_app, "alias@shop.test")
    open_page(dash_duo, f"{live_app.url}/settings")
    box = dash_duo.wait_for_element("#settings-timezone")

    def save(text: str) -> None:
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(text, Keys.ESCAPE)
        until(dash_duo, lambda _: box.get_attribute("value") == text)
        dash_duo.find_element("#settings-timezone-save").click()

    save("Bombay")  # an old name, typed and saved without picking: it means one zone
    dash_duo.wait_for_contains_text("#settings-timezone-status", "now use Asia/Kolkata")
    save("Nowhere City")
    dash_duo.wait_for_contains_text("#settings-timezone-status", "No time zone matches")
    assert "stays on Asia/Kolkata" in dash_duo.find_element("#settings-timezone-status").text
    assert box.get_attribute("value") == "Nowhere City"  # kept to correct, not swapped
    with rt.db.session() as s:
        assert get_timezone(s, acc.id) == "Asia/Kolkata"
