"""Profiles: events sent through /v1 show up as a searchable profile with its timeline."""

from __future__ import annotations

import pytest

from backend.ingest import ingestor
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


def test_search_a_profile_and_read_its_timeline(dash_duo, live_app):
    rt = live_app.app.extensions["tally"]
    ing = ingestor(rt)
    ing.accept(
        live_app.account_id,
        [
            {
                "type": "identify",
                "userId": "grace",
                "messageId": "p-1",
                "traits": {
                    "email": "grace@hopper.test",
                    "first_name": "Grace",
                    "last_name": "Hopper",
                    "note": "<b>not bold</b>",
                },
            },
            {
                "type": "track",
                "userId": "grace",
                "event": "Placed Order",
                "messageId": "p-2",
                "properties": {"revenue": 1234.5, "sku": "COBOL-1"},
                "context": {"ip": "81.2.69.142"},
            },
        ],
    )
    ing.drain()
    log_in(dash_duo, live_app)
    dash_duo.wait_for_text_to_equal("#shell-account-name", live_app.account_name)
    dash_duo.find_element("#nav-profiles").click()
    dash_duo.wait_for_element("#profiles-search").send_keys("hopper")
    dash_duo.wait_for_contains_text("#profiles-table", "grace@hopper.test")
    dash_duo.find_element("#profiles-table .profile-link").click()
    dash_duo.wait_for_text_to_equal("#profile-name", "Grace Hopper")
    timeline = dash_duo.wait_for_element("#profile-timeline").text
    assert "Placed Order" in timeline and "$1,234.50" in timeline
    traits = dash_duo.find_element("#profile-traits").text
    assert "<b>not bold</b>" in traits  # markup shows as text, never as HTML
    assert "United Kingdom (GB)" in dash_duo.find_element("#main").text  # a name, not a code
    dash_duo.find_element("#profile-back").click()
    dash_duo.wait_for_element("#profiles-table")
    assert dash_duo.get_logs() == []


def test_empty_states_say_what_to_do(dash_duo, live_app):
    from backend.accounts.service import create_account
    from tests.browser.helpers import log_in as log_in_as

    with live_app.app.extensions["tally"].db.session() as s:
        create_account(s, "Quiet Shop", email="quiet@shop.test", password="correct horse battery")
    log_in_as(dash_duo, live_app, "quiet@shop.test")
    dash_duo.driver.get(f"{live_app.url}/profiles")
    # No events yet: not "no match" (there was no search), but how profiles come to be.
    dash_duo.wait_for_contains_text("#profiles-empty", "No profiles yet")
    assert "clear the search" not in dash_duo.find_element("#profiles-empty").text
    assert dash_duo.find_element("#profiles-empty a").get_attribute("href").endswith("/")
    assert not dash_duo.find_elements("#profiles-pages button")  # no pages of nothing
    dash_duo.find_element("#profiles-search").send_keys("nobody-here")
    dash_duo.wait_for_contains_text("#profiles-empty", "Nothing matches “nobody-here”")
    assert "clear the search" in dash_duo.find_element("#profiles-empty").text
    assert dash_duo.get_logs() == []
