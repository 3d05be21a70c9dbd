"""Lists of dashboards, flows and forms (one component, components/item_list.py) when a
row's thing was deleted in another tab: the click in the stale tab re-draws the list and
says so, and the page keeps working."""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from backend.forms.starters import template
from tests.browser.helpers import PASSWORD, api, log_in, open_page, settle

pytestmark = pytest.mark.browser

EMPTY_FLOW = {
    "name": "Gone soon",
    "trigger": {"type": "metric", "metric": "Placed Order"},
    "filters": [],
    "start": None,
    "nodes": [],
}


@pytest.fixture(scope="module")
def lists_shop(live_app):
    from backend.accounts.service import create_account

    with live_app.app.extensions["tally"].db.session() as s:
        return create_account(s, "Lists Shop", email="lists@shop.test", password=PASSWORD)


def _button(dash_duo, action: str, kind: str, item: int):
    """A row's button by its pattern-matching id (components/item_list.py), as Dash writes
    it in the page: keys sorted, no spaces."""
    dom_id = json.dumps({"id": item, "kind": kind, "type": action}, separators=(",", ":"))
    return dash_duo.driver.find_element(By.XPATH, f"//*[@id='{dom_id}']")


def _delete_in_another_tab(dash_duo, url: str, delete: tuple, confirm: str, row: str) -> str:
    """Open `url` in a second tab, delete the item there, come back; returns the first tab."""
    driver = dash_duo.driver
    first = driver.current_window_handle
    driver.switch_to.new_window("tab")
    open_page(dash_duo, url)
    _button(dash_duo, *delete).click()
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, confirm).is_displayed())
    driver.find_element(By.ID, confirm).click()
    WebDriverWait(driver, 10).until(lambda d: not d.find_elements(By.ID, row))
    driver.close()
    driver.switch_to.window(first)
    assert driver.find_elements(By.ID, row)  # this tab still shows it
    return first


def _says_gone(dash_duo, row: str) -> None:
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: any(
            "deleted elsewhere" in e.text for e in d.find_elements(By.CLASS_NAME, "list-gone")
        )
    )
    assert not dash_duo.driver.find_elements(By.ID, row)
    settle(dash_duo)
    assert [e for e in dash_duo.get_logs() if e["level"] == "SEVERE"] == []


@pytest.mark.parametrize("action", ["item-dup", "item-del", "item-rename"])
def test_a_dashboard_deleted_in_another_tab(dash_duo, live_app, lists_shop, action):
    gone = api(live_app, lists_shop, "POST", "/api/dashboards", json={"name": f"Gone {action}"})
    kept = api(live_app, lists_shop, "POST", "/api/dashboards", json={"name": f"Kept {action}"})
    log_in(dash_duo, live_app, "lists@shop.test")
    url = f"{live_app.url}/dashboards"
    open_page(dash_duo, url)
    row = f"dlist-row-{gone['id']}"
    _delete_in_another_tab(
        dash_duo, url, ("item-del", "dlist", gone["id"]), "dlist-delete-confirm", row
    )
    _button(dash_duo, action, "dlist", gone["id"]).click()
    _says_gone(dash_duo, row)
    assert dash_duo.driver.find_elements(By.ID, f"dlist-row-{kept['id']}")


@pytest.mark.parametrize("action", ["item-dup", "item-del"])
def test_a_flow_deleted_in_another_tab(dash_duo, live_app, lists_shop, action):
    gone = api(live_app, lists_shop, "POST", "/api/flows", json=EMPTY_FLOW)
    log_in(dash_duo, live_app, "lists@shop.test")
    url = f"{live_app.url}/flows"
    open_page(dash_duo, url)
    row = f"flow-row-{gone['id']}"
    _delete_in_another_tab(
        dash_duo, url, ("item-del", "flows", gone["id"]), "flows-delete-confirm", row
    )
    _button(dash_duo, action, "flows", gone["id"]).click()
    _says_gone(dash_duo, row)


@pytest.mark.parametrize("action", ["item-dup", "item-del"])
def test_a_form_deleted_in_another_tab(dash_duo, live_app, lists_shop, action):
    gone = api(live_app, lists_shop, "POST", "/api/forms", json=template("footer_embed"))
    log_in(dash_duo, live_app, "lists@shop.test")
    url = f"{live_app.url}/forms"
    open_page(dash_duo, url)
    row = f"form-row-{gone['id']}"
    _delete_in_another_tab(
        dash_duo, url, ("item-del", "forms", gone["id"]), "forms-delete-confirm", row
    )
    _button(dash_duo, action, "forms", gone["id"]).click()
    _says_gone(dash_duo, row)


def test_rename_in_the_shared_list_says_what_is_wrong_then_renames(dash_duo, live_app, lists_shop):
    made = api(live_app, lists_shop, "POST", "/api/dashboards", json={"name": "Old name"})
    log_in(dash_duo, live_app, "lists@shop.test")
    open_page(dash_duo, f"{live_app.url}/dashboards")
    _button(dash_duo, "item-rename", "dlist", made["id"]).click()
    field = dash_duo.wait_for_element("#dlist-rename-name")
    WebDriverWait(dash_duo.driver, 10).until(lambda _: field.get_attribute("value") == "Old name")
    field.send_keys(Keys.CONTROL, "a")  # clear() does not tell React the value changed
    field.send_keys(Keys.BACKSPACE)
    WebDriverWait(dash_duo.driver, 10).until(lambda _: field.get_attribute("value") == "")
    dash_duo.find_element("#dlist-rename-save").click()
    dash_duo.wait_for_text_to_equal("#dlist-status", "Not renamed. Name: must not be empty.")
    field.send_keys("New name")
    dash_duo.find_element("#dlist-rename-save").click()
    dash_duo.wait_for_text_to_equal("#dlist-status", "Renamed.")
    dash_duo.wait_for_contains_text(f"#dlist-row-{made['id']}", "New name")
    got = api(live_app, lists_shop, "GET", f"/api/dashboards/{made['id']}")
    assert got["name"] == "New name"
    settle(dash_duo)
    assert [e for e in dash_duo.get_logs() if e["level"] == "SEVERE"] == []
