"""Plain words in flow validation: problems name steps by what the canvas shows, never by id
or "None"; a delay of 99,999,999 days is refused with the allowed range."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from backend.flows import service
from tests.browser.flow_canvas import DROP_JS, _edge_ids, _node, _wait_nodes, _wait_status
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser
JARGON = ("None", "delay_1", "start must", "unreachable", "minutes >")


def no_jargon(text: str) -> None:
    assert not [w for w in JARGON if w in text], text


def test_problems_in_plain_words_and_the_delay_range(dash_duo, live_app):
    with live_app.app.extensions["tally"].db.session() as s:
        fid = service.create(
            s,
            live_app.account_id,
            {"name": "Plain words", "trigger": {"type": "metric", "metric": "Placed Order"}},
        ).id
    log_in(dash_duo, live_app)
    dash_duo.wait_for_element("#shell-account-name")
    dash_duo.driver.get(f"{live_app.url}/flows/{fid}")
    _wait_nodes(dash_duo, 1)
    pane = dash_duo.find_element("#flow-canvas .react-flow").rect
    dash_duo.driver.execute_script(DROP_JS, "delay", pane["x"] + 150, pane["y"] + 250)
    _wait_nodes(dash_duo, 2)  # dropped: not connected

    dash_duo.wait_for_contains_text("#flow-problems", "The flow has no first step")
    dash_duo.wait_for_contains_text(
        "#flow-problems", "Time delay “Wait 1 day”: not connected to the trigger"
    )
    no_jargon(dash_duo.find_element("#flow-problems").text)
    dash_duo.find_element("#flow-activate").click()
    dash_duo.wait_for_contains_text("#flow-message", "connect a step to the trigger")
    no_jargon(dash_duo.find_element("#flow-message").text)

    trigger = _node(dash_duo, "trigger")  # wire it from the side panel, by keyboard
    dash_duo.driver.execute_script("arguments[0].focus()", trigger)
    trigger.send_keys("\n")
    dash_duo.wait_for_text_to_equal("#flow-panel-title", "Trigger")
    dash_duo.find_element('#flow-panel input[id*="flow-link"]').click()
    dash_duo.wait_for_element('[role="option"][value="delay_1"]').click()
    WebDriverWait(dash_duo.driver, 10).until(lambda d: "trigger:next" in _edge_ids(d))
    delay = _node(dash_duo, "delay_1")
    dash_duo.driver.execute_script("arguments[0].focus()", delay)
    delay.send_keys("\n")
    dash_duo.wait_for_text_to_equal("#flow-panel-title", "Time delay")
    amount = dash_duo.find_element('#flow-panel input[id*="amount"]')
    amount.send_keys(Keys.CONTROL, "a")
    amount.send_keys("99999999")
    dash_duo.wait_for_contains_text("#flow-problems", "from 1 minute to 365 days")
    dash_duo.find_element("#flow-activate").click()
    dash_duo.wait_for_contains_text("#flow-message", "a wait can be from 1 minute to 365 days")
    no_jargon(dash_duo.find_element("#flow-message").text)
    _wait_status(dash_duo, "draft")
    with live_app.app.extensions["tally"].db.session() as s:
        assert service.get(s, live_app.account_id, fid).status == "draft"
    WebDriverWait(dash_duo.driver, 5).until(
        lambda d: "Not activated" in d.find_element(By.ID, "flow-message").text
    )
