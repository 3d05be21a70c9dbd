"""The flow builder: build a 4-step flow on the canvas (palette, drop, handle-to-handle
connections), save, reload, and find it intact; activation refused with the reasons."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from backend.flows import service
from tests.browser.flow_canvas import (
    DROP_JS,
    _connect,
    _edge_ids,
    _node,
    _positions,
    _wait_invalid,
    _wait_nodes,
    _wait_status,
)
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser
EDGES = {"trigger:next", "email_1:next", "delay_1:next", "split_1:yes"}


def test_build_save_reload_a_four_step_flow(dash_duo, live_app):
    log_in(dash_duo, live_app)
    dash_duo.wait_for_text_to_equal("#shell-account-name", live_app.account_name)
    dash_duo.find_element("#nav-flows").click()
    dash_duo.wait_for_element("#flows-rows")
    dash_duo.find_element("#flows-new").click()
    dash_duo.wait_for_element("#flows-new-name").send_keys("Browser-built flow")
    dash_duo.find_element("#flows-create").click()
    dash_duo.wait_for_element("#flow-canvas .react-flow__node")
    flow_id = int(dash_duo.driver.current_url.rsplit("/", 1)[1])
    _wait_nodes(dash_duo, 1)  # just the trigger

    for i, kind in enumerate(("email", "delay", "split"), start=2):
        dash_duo.find_element(f'[data-flow-kind="{kind}"]').click()
        _wait_nodes(dash_duo, i)
    pane = dash_duo.find_element("#flow-canvas .react-flow").rect
    drop = (pane["x"] + 150, pane["y"] + 120)
    dash_duo.driver.execute_script(DROP_JS, "webhook", *drop)
    _wait_nodes(dash_duo, 5)
    box = dash_duo.driver.execute_script(  # on screen, zoom included
        "const r = arguments[0].getBoundingClientRect(); return [r.x, r.y, r.width, r.height]",
        _node(dash_duo, "webhook_1"),
    )
    centre = (box[0] + box[2] / 2, box[1] + box[3] / 2)  # centred where it was dropped
    assert abs(centre[0] - drop[0]) < 3 and abs(centre[1] - drop[1]) < 3, (centre, drop)
    _wait_invalid(dash_duo, "email_1")  # unreachable and unconfigured: marked

    dash_duo.find_element("#flow-layout").click()  # spread them out, then wire up
    dash_duo.wait_for_element("#flow-fit").click()
    dash_duo.driver.implicitly_wait(0)
    for source, branch, target in (
        ("trigger", "next", "email_1"),
        ("email_1", "next", "delay_1"),
        ("delay_1", "next", "split_1"),
        ("split_1", "yes", "webhook_1"),
    ):
        _connect(dash_duo, source, branch, target)
    WebDriverWait(dash_duo.driver, 10).until(lambda d: _edge_ids(d) == EDGES)

    # configure the e-mail in the side panel and see the preview
    _node(dash_duo, "email_1").click()
    dash_duo.wait_for_text_to_equal("#flow-panel-title", "Email")
    subject = dash_duo.find_element('#flow-panel input[id*="subject"]')
    subject.send_keys("Hello {{ first_name }}")
    dash_duo.wait_for_contains_text("#flow-email-preview", "Hello Ada")

    # move a step, save, and reload
    ActionChains(dash_duo.driver).drag_and_drop_by_offset(
        _node(dash_duo, "webhook_1"), 60, 40
    ).perform()
    before = _positions(dash_duo)
    dash_duo.find_element("#flow-save").click()
    dash_duo.wait_for_contains_text("#flow-message", "Saved as version")

    dash_duo.driver.refresh()
    dash_duo.wait_for_element('#flow-canvas .react-flow__node[data-id="webhook_1"]')
    _wait_nodes(dash_duo, 5)
    WebDriverWait(dash_duo.driver, 10).until(lambda d: _edge_ids(d) == EDGES)
    assert _positions(dash_duo) == before
    rt = live_app.app.extensions["tally"]
    with rt.db.session() as s:
        saved = service.to_json(service.get(s, live_app.account_id, flow_id))
    nodes = {n["id"]: n for n in saved["nodes"]}
    assert saved["start"] == "email_1"
    assert nodes["email_1"]["next"] == "delay_1" and nodes["delay_1"]["next"] == "split_1"
    assert nodes["split_1"]["yes"] == "webhook_1" and nodes["split_1"]["no"] is None
    assert nodes["email_1"]["subject"] == "Hello {{ first_name }}"
    assert {k: round(v) for k, v in nodes["webhook_1"]["ui"].items()} == dict(
        zip(("x", "y"), before["webhook_1"], strict=True)
    )

    # the split has no condition and the webhook no URL: activation is refused, named
    dash_duo.find_element("#flow-activate").click()
    dash_duo.wait_for_contains_text("#flow-message", "Not activated")
    msg = dash_duo.find_element("#flow-message").text
    # Named as the canvas shows the steps, not by ids shown nowhere ("split_1").
    assert "Conditional split “Add a condition”" in msg and "Webhook “" in msg
    assert "split_1" not in msg and "webhook_1" not in msg
    _wait_invalid(dash_duo, "webhook_1")
    assert dash_duo.find_element("#flow-status").text.lower() == "draft"
    assert dash_duo.get_logs() == []


def test_template_goes_live_shows_numbers_pauses_restores_and_list_actions(dash_duo, live_app):
    from backend.flows.runner import flow_engine
    from backend.ingest import ingestor

    log_in(dash_duo, live_app)
    dash_duo.wait_for_text_to_equal("#shell-account-name", live_app.account_name)
    dash_duo.driver.get(f"{live_app.url}/flows")
    dash_duo.wait_for_element("#flows-new").click()
    dash_duo.wait_for_element("#flows-new-name").send_keys("Cart rescue")
    dash_duo.find_element("#flows-template-abandoned_cart").click()
    dash_duo.find_element("#flows-create").click()
    dash_duo.wait_for_element('#flow-canvas .react-flow__node[data-id="wait_4_hours"]')
    flow_id = int(dash_duo.driver.current_url.rsplit("/", 1)[1])

    dash_duo.find_element("#flow-activate").click()
    _wait_status(dash_duo, "live")
    assert dash_duo.find_element("#flow-version").text == "v1"  # nothing changed: no new version

    rt = live_app.app.extensions["tally"]
    ing = ingestor(rt)
    ing.accept(
        live_app.account_id,
        [
            {
                "type": "track",
                "userId": f"cart-{i}",
                "event": "Added to Cart",
                "messageId": f"cart-{i}",
                "properties": {"name": "Linen shirt"},
            }
            for i in range(2)
        ],
    )
    ing.drain()
    flow_engine(rt).run_until_idle()

    dash_duo.driver.refresh()
    dash_duo.wait_for_contains_text('.react-flow__node[data-id="trigger"]', "entered 2")
    assert "waiting 2" in _node(dash_duo, "wait_4_hours").text

    # change the delay to 2 hours in the side panel; saving a live flow makes version 2
    _node(dash_duo, "wait_4_hours").click()
    dash_duo.wait_for_text_to_equal("#flow-panel-title", "Time delay")
    amount = dash_duo.find_element('#flow-panel input[id*="amount"]')
    amount.send_keys("\b\b2")
    dash_duo.wait_for_contains_text('.react-flow__node[data-id="wait_4_hours"]', "Wait 2 hours")
    dash_duo.find_element("#flow-save").click()
    dash_duo.wait_for_text_to_equal("#flow-version", "v2")

    dash_duo.find_element("#flow-pause").click()
    _wait_status(dash_duo, "paused")

    # restore version 1: it comes back as version 3, with the 4-hour wait
    dash_duo.find_element("#flow-versions").click()
    dash_duo.wait_for_element('[role="option"][value="1"]').click()
    dash_duo.find_element("#flow-restore").click()
    dash_duo.wait_for_text_to_equal("#flow-version", "v3")
    dash_duo.wait_for_contains_text('.react-flow__node[data-id="wait_4_hours"]', "Wait 4 hours")
    with rt.db.session() as s:
        saved = service.to_json(service.get(s, live_app.account_id, flow_id))
    assert saved["version"] == 3 and saved["status"] == "paused"
    assert saved["nodes"][0]["minutes"] == 240

    # the list: status and numbers; duplicate makes a draft copy; delete asks first
    dash_duo.find_element("#flow-back").click()
    row = dash_duo.wait_for_element(f"#flow-row-{flow_id}")
    assert "Cart rescue" in row.text and "paused" in row.text.lower() and "2" in row.text
    saved_at = row.find_element(By.CSS_SELECTOR, ".fn-saved span")
    assert re.fullmatch(r"v3 · (just now|\d+ min ago)", saved_at.text), saved_at.text
    assert re.fullmatch(r"\d\d \w{3} \d{4}, \d\d:\d\d UTC", saved_at.get_attribute("title"))
    dash_duo.find_element(f"#flow-row-{flow_id} button[aria-label='Duplicate Cart rescue']").click()
    dash_duo.wait_for_contains_text("#flows-rows", "Cart rescue (copy)")
    with rt.db.session() as s:
        copy_id = max(f.id for f in service.list_flows(s, live_app.account_id))
    assert "draft" in dash_duo.find_element(f"#flow-row-{copy_id}").text.lower()
    dash_duo.find_element(
        f"#flow-row-{copy_id} button[aria-label='Delete Cart rescue (copy)']"
    ).click()
    dash_duo.wait_for_element("#flows-delete-confirm").click()
    dash_duo.wait_for_no_elements(f"#flow-row-{copy_id}")
    assert dash_duo.find_elements(f"#flow-row-{flow_id}")
    assert dash_duo.get_logs() == []


def test_wire_from_the_panel_delete_undo_redo(dash_duo, live_app):
    from backend.flows.starters import blank

    rt = live_app.app.extensions["tally"]
    with rt.db.session() as s:
        flow_id = service.create(s, live_app.account_id, blank("Keyboard flow")).id
    log_in(dash_duo, live_app)
    dash_duo.wait_for_text_to_equal("#shell-account-name", live_app.account_name)
    dash_duo.driver.get(f"{live_app.url}/flows/{flow_id}")
    _wait_nodes(dash_duo, 1)
    dash_duo.find_element('[data-flow-kind="webhook"]').send_keys("\n")  # Enter on the button
    _wait_nodes(dash_duo, 2)
    # a clicked step lands after the end of the path, connected
    WebDriverWait(dash_duo.driver, 10).until(lambda d: _edge_ids(d) == {"trigger:next"})
    pane = dash_duo.find_element("#flow-canvas .react-flow").rect
    dash_duo.driver.execute_script(DROP_JS, "email", pane["x"] + 120, pane["y"] + 60)
    _wait_nodes(dash_duo, 3)  # a dropped one lands where dropped, not connected

    # select the webhook from the keyboard (focus, Enter), then wire it to the e-mail with
    # the panel's select instead of dragging
    webhook = _node(dash_duo, "webhook_1")
    dash_duo.driver.execute_script("arguments[0].focus()", webhook)
    webhook.send_keys("\n")
    dash_duo.wait_for_contains_text("#flow-panel-title", "Webhook")
    dash_duo.find_element('#flow-panel input[id*="flow-link"]').click()
    dash_duo.wait_for_element('[role="option"][value="email_1"]').click()
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: _edge_ids(d) == {"trigger:next", "webhook_1:next"}
    )

    # delete the step with the toolbar, then undo and redo
    _node(dash_duo, "webhook_1").click()
    dash_duo.find_element("#flow-delete-selected").click()
    _wait_nodes(dash_duo, 2)
    assert _edge_ids(dash_duo.driver) == set()
    dash_duo.find_element("#flow-undo").click()
    _wait_nodes(dash_duo, 3)
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: _edge_ids(d) == {"trigger:next", "webhook_1:next"}
    )
    dash_duo.find_element("#flow-redo").click()
    _wait_nodes(dash_duo, 2)
    assert dash_duo.get_logs() == []
