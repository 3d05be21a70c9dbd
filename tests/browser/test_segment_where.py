"""The segment builder edits a metric condition's event property filters: add a filter row,
pick the property among those the metric's events carry, choose a test and a value, watch
the live count follow, remove a row, save, and find the filters again."""

from __future__ import annotations

import json

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from backend.ingest import ingestor
from tests.browser.helpers import api, log_in, settle

pytestmark = pytest.mark.browser
METRIC = "SW Viewed Product"  # this module's own metric: counts see only its profiles


def _find(dash_duo, pattern: dict):
    """An input by its pattern id (Dash writes it as sorted, compact JSON)."""
    pid = json.dumps(dict(sorted(pattern.items())), separators=(",", ":"))
    return WebDriverWait(dash_duo.driver, 10).until(
        lambda d: d.find_element(By.XPATH, f"//*[@id='{pid}']")
    )


def field(dash_duo, k: str):
    return _find(dash_duo, {"type": "seg-f", "g": 0, "c": 0, "k": k})


def wfield(dash_duo, w: int, k: str):
    return _find(dash_duo, {"type": "seg-w", "g": 0, "c": 0, "w": w, "k": k})


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
    settle(dash_duo)


def count_is(dash_duo, n: int) -> None:
    WebDriverWait(dash_duo.driver, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.find_element(By.ID, "seg-count").text == str(n)
    )


def test_event_filters_of_a_metric_condition(dash_duo, live_app):
    views = [("sw-ann", "shoes", 40), ("sw-ann", "shoes", 60), ("sw-bob", "hats", 20)]
    views += [("sw-cy", "shoes", 5)]
    ing = ingestor(live_app.app.extensions["tally"])
    ing.accept(
        live_app.account_id,
        [
            {
                "type": "track",
                "userId": user,
                "event": METRIC,
                "messageId": f"sw-{i}",
                "properties": {"category": cat, "item": {"price": price}},
            }
            for i, (user, cat, price) in enumerate(views)
        ],
    )
    ing.drain()

    log_in(dash_duo, live_app)
    dash_duo.driver.get(f"{live_app.url}/segments/new")
    choose(dash_duo, field(dash_duo, "metric"), METRIC)
    count_is(dash_duo, 3)

    add = '[aria-label="Add an event property filter to condition 1 of group 1"]'
    dash_duo.find_element(add).click()
    settle(dash_duo)
    box = wfield(dash_duo, 0, "field")
    box.click()  # the picker offers what the metric's events carry, nested ones dotted
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: (
            {o.text for o in d.find_elements(By.CSS_SELECTOR, "[role=option]") if o.text}
            == {"category", "item.price"}
        )
    )
    box.send_keys(Keys.ESCAPE)
    choose(dash_duo, wfield(dash_duo, 0, "field"), "category")
    wfield(dash_duo, 0, "text").send_keys("SHOES", Keys.TAB)  # text compares ignoring case
    count_is(dash_duo, 2)
    choose(dash_duo, wfield(dash_duo, 0, "pop"), "does not equal")
    count_is(dash_duo, 1)

    # A second filter (AND): price at least 50 and not shoes -> nobody; removed -> bob again.
    dash_duo.find_element(add).click()
    settle(dash_duo)
    choose(dash_duo, wfield(dash_duo, 1, "field"), "item.price")
    choose(dash_duo, wfield(dash_duo, 1, "pop"), "is at least")
    wfield(dash_duo, 1, "text").send_keys("50", Keys.TAB)
    count_is(dash_duo, 0)
    dash_duo.find_element('[aria-label="Remove filter 2 of condition 1 in group 1"]').click()
    count_is(dash_duo, 1)
    choose(dash_duo, wfield(dash_duo, 0, "pop"), "equals")
    count_is(dash_duo, 2)

    dash_duo.find_element("#seg-name").send_keys("SW shoe viewers")
    dash_duo.find_element("#seg-save").click()
    dash_duo.wait_for_text_to_equal("#seg-saved-count", "2")
    saved = next(
        s
        for s in api(live_app, live_app, "GET", "/api/segments")["segments"]
        if s["name"] == "SW shoe viewers"
    )
    [[cond]] = api(live_app, live_app, "GET", f"/api/segments/{saved['id']}")["conditions"]
    assert cond["where"] == [{"field": "category", "op": "eq", "value": "SHOES"}]

    dash_duo.driver.refresh()
    assert wfield(dash_duo, 0, "field").get_attribute("value") == "category"
    assert wfield(dash_duo, 0, "text").get_attribute("value") == "SHOES"
    assert (
        dash_duo.find_elements(".segment-where-row")
        and len(dash_duo.find_elements(".segment-where-row")) == 1
    )
    assert dash_duo.get_logs() == []
