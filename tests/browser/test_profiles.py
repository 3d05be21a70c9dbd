"""Profiles: events sent through /v1 show up as a searchable profile with its timeline."""

from __future__ import annotations

import pytest

from backend.ingest import ingestor
from tests.browser.test_settings_keys import log_in

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
    assert "GB" in dash_duo.find_element("#main").text
    dash_duo.find_element("#profile-back").click()
    dash_duo.wait_for_element("#profiles-table")
    assert dash_duo.get_logs() == []
