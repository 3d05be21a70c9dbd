"""Flow work is kept: steps added and not saved come back after a reload (the editor says
so), an Activate the server refuses keeps them, and a save clears what the browser kept."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from backend.flows import service
from tests.browser.flow_canvas import _connect, _wait_nodes
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


def test_unsaved_steps_survive_a_reload_and_a_refused_activate(dash_duo, live_app):
    with live_app.app.extensions["tally"].db.session() as s:
        fid = service.create(
            s,
            live_app.account_id,
            {"name": "Kept work", "trigger": {"type": "metric", "metric": "Placed Order"}},
        ).id
    log_in(dash_duo, live_app)
    dash_duo.wait_for_element("#shell-account-name")
    page = f"{live_app.url}/flows/{fid}"
    dash_duo.driver.get(page)
    _wait_nodes(dash_duo, 1)
    for i, kind in enumerate(("email", "delay"), start=2):
        dash_duo.find_element(f'[data-flow-kind="{kind}"]').click()
        _wait_nodes(dash_duo, i)
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: d.execute_script("return window.__tallyFlowUnsaved === true")
    )

    dash_duo.driver.execute_script("window.__tallyFlowUnsaved = false")  # no leave prompt
    dash_duo.driver.get(page)
    _wait_nodes(dash_duo, 3)
    dash_duo.wait_for_contains_text("#flow-autosave-note", "unsaved changes are back")

    dash_duo.find_element("#flow-activate").click()  # refused: the e-mail has no subject
    dash_duo.wait_for_contains_text("#flow-message", "Not activated")
    dash_duo.driver.execute_script("window.__tallyFlowUnsaved = false")
    dash_duo.driver.get(page)
    _wait_nodes(dash_duo, 3)  # the steps are still there (kept as a version, or in the browser)

    # Save: what the browser kept is dropped, and the next visit opens the saved flow quietly.
    with live_app.app.extensions["tally"].db.session() as s:
        before = service.get(s, live_app.account_id, fid).version
    dash_duo.find_element("#flow-fit").click()
    _connect(dash_duo, "trigger", "next", "email_1")  # a flow the server can keep as a version
    _connect(dash_duo, "email_1", "next", "delay_1")
    dash_duo.find_element("#flow-save").click()
    dash_duo.wait_for_contains_text("#flow-message", "Saved as version")
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: d.execute_script("return window.__tallyFlowUnsaved === false")
    )
    dash_duo.driver.get(page)
    _wait_nodes(dash_duo, 3)
    with live_app.app.extensions["tally"].db.session() as s:
        assert service.get(s, live_app.account_id, fid).version > before
    assert dash_duo.find_element("#flow-autosave-note").text == ""
