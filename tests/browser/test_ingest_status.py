"""The header says when counting lags behind what was accepted, and says nothing otherwise."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from backend.ingest import backlog as backlog_module
from backend.ingest import ingestor
from components.ingest_status import lag_text
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("uncounted", "unstored", "text"),
    [
        (0, 0, None),
        (59, 59, None),
        (60, 60, "Counting is catching up: events from the last 1 min are not in the numbers yet"),
        (
            1_500,
            1_500,
            "Counting is catching up: events from the last 25 min are not in the numbers yet",
        ),
        (
            5_400,
            6_000,
            "Counting is catching up: events from the last 1.5 h are not in the numbers yet",
        ),
        (
            0,
            300,
            "Profiles are catching up: events from the last 5 min are counted but not on "
            "profiles yet",
        ),
    ],
)
def test_the_lag_in_words(uncounted, unstored, text):
    assert lag_text(uncounted, unstored) == text


def test_the_header_shows_the_lag_until_the_events_are_counted(dash_duo, live_app, monkeypatch):
    rt = live_app.app.extensions["tally"]
    ing = ingestor(rt)
    ing.drain()  # nothing left over from other tests
    ing.accept(
        live_app.account_id,
        [{"type": "track", "userId": "lagging", "event": "Placed Order", "messageId": "lag-1"}],
    )  # spooled, not yet counted
    # The request was accepted five minutes ago, as far as the backlog can tell (its clock
    # only: the time module itself is shared by the whole process).
    later = SimpleNamespace(time=lambda: time.time() + 300)
    monkeypatch.setattr(backlog_module, "time", later)
    log_in(dash_duo, live_app)
    dash_duo.wait_for_text_to_equal(
        "#shell-ingest-lag",
        "Counting is catching up: events from the last 5 min are not in the numbers yet",
    )
    status = dash_duo.find_element("#shell-ingest-status")
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"

    ing.drain()
    dash_duo.driver.refresh()
    dash_duo.wait_for_text_to_equal("#shell-account-name", live_app.account_name)
    dash_duo.wait_for_text_to_equal("#shell-ingest-status", "")
    assert dash_duo.get_logs() == []
