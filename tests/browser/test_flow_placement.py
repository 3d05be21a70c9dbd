"""Steps land where they go: a step added from the palette comes after the selected step
(or at the end of the path), connected, and in view; a step put in front of another is
connected to it; the two branches of a split sit side by side."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from backend.flows import service
from tests.browser.flow_canvas import _edge_ids, _node, _positions, _wait_nodes
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser

IN_VIEW = """
const pane = document.querySelector('#flow-canvas .react-flow').getBoundingClientRect();
const r = arguments[0].getBoundingClientRect();
return r.left >= pane.left && r.right <= pane.right && r.top >= pane.top
    && r.bottom <= pane.bottom;
"""


def add(dash_duo, nid: str, n: int, edge: str) -> None:
    """Click the palette for step `nid`'s kind; wait for the n-th step, its edge, in view."""
    dash_duo.find_element(f'[data-flow-kind="{nid.rsplit("_", 1)[0]}"]').click()
    _wait_nodes(dash_duo, n)
    WebDriverWait(dash_duo.driver, 10).until(lambda d: edge in _edge_ids(d))
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: d.execute_script(IN_VIEW, _node(dash_duo, nid))
    )


def test_added_steps_are_connected_after_the_selection_and_in_view(dash_duo, live_app):
    with live_app.app.extensions["tally"].db.session() as s:
        fid = service.create(
            s,
            live_app.account_id,
            {"name": "Placed steps", "trigger": {"type": "metric", "metric": "Placed Order"}},
        ).id
    log_in(dash_duo, live_app)
    dash_duo.wait_for_element("#shell-account-name")
    dash_duo.driver.get(f"{live_app.url}/flows/{fid}")
    _wait_nodes(dash_duo, 1)

    add(dash_duo, "email_1", 2, "trigger:next")  # at the end of the path: after the trigger
    add(dash_duo, "delay_1", 3, "email_1:next")
    for i in range(2, 6):  # a long path: the newest step is still on screen
        add(dash_duo, f"delay_{i}", 2 + i, f"delay_{i - 1}:next")

    dash_duo.find_element("#flow-fit").click()
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: d.execute_script(IN_VIEW, _node(dash_duo, "email_1"))
    )
    _node(dash_duo, "email_1").click()  # after the selected step, in front of its next one
    dash_duo.wait_for_text_to_equal("#flow-panel-title", "Email")
    add(dash_duo, "split_1", 8, "split_1:yes")
    _node(dash_duo, "split_1").click()
    dash_duo.wait_for_text_to_equal("#flow-panel-title", "Conditional split")
    add(dash_duo, "webhook_1", 9, "split_1:no")  # the split's free branch, beside the other

    at = _positions(dash_duo)
    assert at["delay_1"][1] == at["webhook_1"][1] and at["delay_1"][0] < at["webhook_1"][0]
    assert at["email_1"][1] < at["split_1"][1] < at["delay_1"][1] < at["delay_2"][1]

    dash_duo.find_element("#flow-save").click()
    dash_duo.wait_for_contains_text("#flow-message", "Saved as version")
    with live_app.app.extensions["tally"].db.session() as s:
        defn = service.get(s, live_app.account_id, fid).definition
    by_id = {n["id"]: n for n in defn["nodes"]}
    assert defn["start"] == "email_1" and by_id["email_1"]["next"] == "split_1"
    assert by_id["split_1"]["yes"] == "delay_1" and by_id["split_1"]["no"] == "webhook_1"
    assert by_id["delay_4"]["next"] == "delay_5"
