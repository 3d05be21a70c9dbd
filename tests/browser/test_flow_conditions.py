"""The flow builder's conditions on segments and predictions: a split on a segment picked by
name (with the keyboard) and on a prediction picked by its plain label, saved, and found
again after a reload; a trigger on joining a segment, picked by name."""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.flow_canvas import _node
from tests.browser.helpers import api, log_in, settle, until

pytestmark = pytest.mark.browser
SEGMENT = "FC gold buyers"


def cond(dash_duo, i: int, part: str):
    """A condition input of the split by its pattern id (sorted, compact JSON)."""
    cid = json.dumps(
        {"i": i, "part": part, "scope": "node", "type": "flow-cond"}, separators=(",", ":")
    )
    return WebDriverWait(dash_duo.driver, 10).until(
        lambda d: d.find_element(By.XPATH, f"//*[@id='{cid}']")
    )


def choose(dash_duo, box, label: str) -> None:
    box.click()
    until(
        dash_duo,
        lambda d: any(o.text == label for o in d.find_elements(By.CSS_SELECTOR, "[role=option]")),
    )
    next(
        o
        for o in dash_duo.driver.find_elements(By.CSS_SELECTOR, "[role=option]")
        if o.text == label
    ).click()
    settle(dash_duo)


def add_condition(dash_duo) -> None:
    dash_duo.find_element('#flow-panel button[id*="flow-cond-add"]').click()
    settle(dash_duo)


@pytest.fixture(scope="module")
def seg(live_app) -> dict:
    """This module's segment, made once through the API."""
    gold = {"type": "property", "field": "traits.plan", "op": "eq", "value": "fc-gold"}
    body = {"name": SEGMENT, "conditions": [[gold]]}
    return api(live_app, live_app, "POST", "/api/segments", json=body)


def test_split_on_a_segment_and_a_prediction_saves_and_reloads(dash_duo, live_app, seg):
    flow = api(
        live_app,
        live_app,
        "POST",
        "/api/flows",
        json={
            "name": "FC split on a segment",
            "trigger": {"type": "metric", "metric": "Placed Order"},
            "filters": [],
            "start": "split_1",
            "nodes": [
                {
                    "id": "split_1",
                    "type": "split",
                    "where": [],
                    "yes": None,
                    "no": None,
                    "ui": {"x": 0, "y": 150},
                }
            ],
        },
    )
    log_in(dash_duo, live_app)
    dash_duo.driver.get(f"{live_app.url}/flows/{flow['id']}")
    dash_duo.wait_for_element('#flow-canvas .react-flow__node[data-id="split_1"]')
    settle(dash_duo)
    _node(dash_duo, "split_1").click()
    dash_duo.wait_for_text_to_equal("#flow-panel-title", "Conditional split")

    # A segment, by name, with the keyboard: type to filter, arrow down, Enter.
    add_condition(dash_duo)
    choose(dash_duo, cond(dash_duo, 0, "kind"), "In a segment")
    box = cond(dash_duo, 0, "segment")
    box.send_keys("FC gold")  # unique: other modules' segments may say "gold" too
    box.send_keys(Keys.ARROW_DOWN, Keys.ENTER)
    settle(dash_duo)
    until(dash_duo, lambda d: cond(dash_duo, 0, "segment").get_attribute("value") == SEGMENT)

    # A prediction by its plain label, tested against a number.
    add_condition(dash_duo)
    choose(dash_duo, cond(dash_duo, 1, "kind"), "Predicted value")
    # This account has no fitted predictions: the panel says what that means.
    dash_duo.wait_for_contains_text("#flow-panel", "Predictions are not ready")
    choose(dash_duo, cond(dash_duo, 1, "name"), "Predicted CLV")
    choose(dash_duo, cond(dash_duo, 1, "op"), "≥")
    value = cond(dash_duo, 1, "value")
    value.send_keys(Keys.CONTROL, "a")
    value.send_keys("100", Keys.TAB)
    # the step's summary on the canvas follows the draft: the typed value has landed
    until(dash_duo, lambda d: "Predicted CLV ≥ 100" in _node(dash_duo, "split_1").text)

    dash_duo.find_element("#flow-save").click()
    dash_duo.wait_for_contains_text("#flow-message", "Saved as version")
    where = [
        {"segment": seg["id"], "member": True},
        {"field": "predictions.predicted_clv", "op": "gte", "value": 100},
    ]
    saved = api(live_app, live_app, "GET", f"/api/flows/{flow['id']}")
    assert saved["nodes"][0]["where"] == where

    dash_duo.driver.refresh()
    dash_duo.wait_for_element('#flow-canvas .react-flow__node[data-id="split_1"]')
    settle(dash_duo)
    assert "Predicted CLV ≥ 100" in _node(dash_duo, "split_1").text
    assert f"in segment “{SEGMENT}”" in _node(dash_duo, "split_1").text  # its name, not id
    _node(dash_duo, "split_1").click()
    dash_duo.wait_for_text_to_equal("#flow-panel-title", "Conditional split")
    assert cond(dash_duo, 0, "segment").get_attribute("value") == SEGMENT
    assert cond(dash_duo, 0, "member").get_attribute("value") == "is in"
    assert cond(dash_duo, 1, "name").get_attribute("value") == "Predicted CLV"
    assert cond(dash_duo, 1, "value").get_attribute("value") == "100"
    assert dash_duo.get_logs() == []


def test_a_flow_triggered_by_joining_a_segment(dash_duo, live_app, seg):
    flow = api(
        live_app,
        live_app,
        "POST",
        "/api/flows",
        json={
            "name": "FC welcome to the segment",
            "trigger": {"type": "metric", "metric": "Placed Order"},
            "filters": [],
            "start": "mail",
            "nodes": [
                {
                    "id": "mail",
                    "type": "email",
                    "subject": "Welcome, gold member",
                    "body": "Hi",
                    "next": None,
                    "ui": {"x": 0, "y": 150},
                }
            ],
        },
    )
    log_in(dash_duo, live_app)
    dash_duo.driver.get(f"{live_app.url}/flows/{flow['id']}")
    dash_duo.wait_for_element('#flow-canvas .react-flow__node[data-id="trigger"]')
    settle(dash_duo)
    _node(dash_duo, "trigger").click()
    dash_duo.wait_for_text_to_equal("#flow-panel-title", "Trigger")
    radio = dash_duo.driver.find_element(
        By.XPATH, "//label[normalize-space()='Someone joins a segment']"
    )
    radio.click()
    settle(dash_duo)
    choose(dash_duo, dash_duo.wait_for_element('#flow-panel input[id*="segment"]'), SEGMENT)
    # The canvas names the segment, not its id.
    until(dash_duo, lambda d: f"Joins segment “{SEGMENT}”" in _node(dash_duo, "trigger").text)
    dash_duo.find_element("#flow-save").click()
    dash_duo.wait_for_contains_text("#flow-message", "Saved as version")
    saved = api(live_app, live_app, "GET", f"/api/flows/{flow['id']}")
    assert {k: v for k, v in saved["trigger"].items() if k != "ui"} == {
        "type": "segment",
        "segment": seg["id"],
    }
    assert dash_duo.get_logs() == []
