"""Segments in the browser: build a segment from the navigation with the keyboard and
pickers, watch the live count, save it, page its members and read them over time."""

from __future__ import annotations

import json

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from backend.ingest import ingestor
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


def field(dash_duo, g: int, c: int, k: str):
    """A builder input by its pattern id (Dash writes it as sorted, compact JSON)."""
    fid = json.dumps({"c": c, "g": g, "k": k, "type": "seg-f"}, separators=(",", ":"))
    return WebDriverWait(dash_duo.driver, 10).until(
        lambda d: d.find_element(By.XPATH, f"//*[@id='{fid}']")
    )


def choose(dash_duo, box, label: str) -> None:
    box.click()
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: any(o.text == label for o in d.find_elements(By.CSS_SELECTOR, "[role=option]"))
    )
    next(
        o
        for o in dash_duo.driver.find_elements(By.CSS_SELECTOR, "[role=option]")
        if o.text == label
    ).click()


def test_build_save_and_read_a_segment(dash_duo, live_app):
    ing = ingestor(live_app.app.extensions["tally"])
    msgs = []
    for i, (user, orders) in enumerate((("sb-ann", 2), ("sb-bob", 1), ("sb-cy", 0))):
        msgs.append(
            {
                "type": "identify",
                "userId": user,
                "messageId": f"sb-i{i}",
                "traits": {"email": f"{user}@shop.test", "plan": "gold" if i else "free"},
            }
        )
        msgs += [
            {
                "type": "track",
                "userId": user,
                "event": "Placed Order",
                "messageId": f"sb-o{i}-{k}",
                "properties": {"revenue": 10},
            }
            for k in range(orders)
        ]
    ing.accept(live_app.account_id, msgs)
    ing.drain()

    log_in(dash_duo, live_app)
    dash_duo.wait_for_text_to_equal("#shell-account-name", live_app.account_name)
    dash_duo.find_element("#nav-segments").click()
    dash_duo.wait_for_element("#segments-list")
    dash_duo.driver.get(f"{live_app.url}/segments/new")
    choose(dash_duo, field(dash_duo, 0, 0, "metric"), "Placed Order")
    value = field(dash_duo, 0, 0, "value")
    value.send_keys(Keys.BACKSPACE, "2", Keys.TAB)
    dash_duo.wait_for_text_to_equal("#seg-count", "1")
    # OR: the plan is gold (bob); AND a second group: e-mail is set (everyone here).
    dash_duo.find_element('[aria-label="Add an OR condition to group 1"]').click()
    choose(dash_duo, field(dash_duo, 0, 1, "type"), "Property of someone")
    choose(dash_duo, field(dash_duo, 0, 1, "field"), "plan")
    field(dash_duo, 0, 1, "text").send_keys("gold", Keys.TAB)
    # ann by orders, bob and cy by plan (and any earlier test's gold profiles)
    WebDriverWait(dash_duo.driver, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: int(d.find_element(By.ID, "seg-count").text.replace(",", "")) >= 3
    )
    dash_duo.find_element("#seg-and").click()
    choose(dash_duo, field(dash_duo, 1, 0, "type"), "Property of someone")
    choose(dash_duo, field(dash_duo, 1, 0, "field"), "e-mail")
    field(dash_duo, 1, 0, "text").send_keys("sb-", Keys.TAB)
    choose(dash_duo, field(dash_duo, 1, 0, "pop"), "contains")
    dash_duo.wait_for_text_to_equal("#seg-count", "3")

    dash_duo.find_element("#seg-save").click()  # no name: the problem is named
    dash_duo.wait_for_contains_text("#seg-alert", "name:")
    dash_duo.find_element("#seg-name").send_keys("Buyers or gold")
    dash_duo.find_element("#seg-save").click()
    dash_duo.wait_for_text_to_equal("#seg-saved-count", "3")
    dash_duo.wait_for_contains_text("#seg-members", "sb-ann@shop.test")
    assert len(dash_duo.find_elements(".seg-member-row")) == 3
    assert "Members over time" in dash_duo.find_element("#main").text
    # The profiles page filters by segment: opened from the segment, and by its picker.
    dash_duo.find_element("#main a[href^='/profiles?segment=']").click()
    WebDriverWait(dash_duo.driver, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".profile-row")) == 3
    )
    assert "sb-bob@shop.test" in dash_duo.find_element("#profiles-results").text
    dash_duo.driver.get(f"{live_app.url}/segments")
    dash_duo.wait_for_contains_text("#segments-list", "Buyers or gold")
    dash_duo.find_element("#nav-profiles").click()
    choose(dash_duo, dash_duo.wait_for_element("#profiles-segment"), "Buyers or gold")
    WebDriverWait(dash_duo.driver, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".profile-row")) == 3
    )
    assert dash_duo.get_logs() == []
