"""Popups queue, never stack: on a storefront one modal form shows at a time, the lowest
priority number first, the next when it is closed, and a visitor sees at most two different
popups a day; the builder names the live popup a newly published one competes with."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from backend.accounts.service import create_account
from backend.forms.starters import template
from tests.browser.storefront import popup, shop, storefront, wait_host

pytestmark = pytest.mark.browser
__all__ = ["shop", "storefront"]  # fixtures shared with test_storefront.py

STATE = "const s = window.__tallyForms || {}; return [s.showing, (s.waiting || []).map(f => f.id), !!s.capped];"


def state(driver):
    return driver.execute_script(STATE)


def all_hosts(driver):
    return driver.find_elements(By.CSS_SELECTOR, "[data-tally-host]")


def test_popups_wait_their_turn_by_priority_under_a_daily_cap(dash_duo, shop, storefront):
    later = shop.publish({**popup(), "name": "Newsletter"})
    third = shop.publish(popup())
    first = shop.publish(popup(priority=1))
    driver = dash_duo.driver
    driver.get(storefront())
    box = wait_host(driver, first)  # published last, but priority 1
    WebDriverWait(driver, 10).until(lambda d: state(d)[1] == [later, third])
    assert len(all_hosts(driver)) == 1

    box.find_element(By.CSS_SELECTOR, ".x").click()  # closing it lets the next one show
    box = wait_host(driver, later)  # priority 5 like the third, and older
    assert len(all_hosts(driver)) == 1 and state(driver)[1] == [third]

    # The third would be the third different popup today: the cap keeps it back.
    box.find_element(By.CSS_SELECTOR, ".x").click()
    WebDriverWait(driver, 10).until(lambda d: state(d)[2])
    assert all_hosts(driver) == []


def test_the_builder_names_the_live_popup_a_new_one_competes_with(dash_duo, live_app):
    from backend.forms import service

    runtime = live_app.app.extensions["tally"]
    with runtime.db.session() as s:
        acc = create_account(s, "Rival Shop", email="rival@shop.test", password="rival pass 123")
        live = service.create(s, acc.id, {**template("newsletter_popup"), "name": "Spring sale"})
        s.flush()
        service.publish(s, acc.id, live.id)
        new = service.create(s, acc.id, {**template("newsletter_popup"), "name": "Black Friday"})
        s.flush()
        new_id = new.id
    driver = dash_duo.driver
    driver.get(f"{live_app.url}/login")
    dash_duo.wait_for_element("#email").send_keys("rival@shop.test")
    dash_duo.find_element("#password").send_keys("rival pass 123")
    dash_duo.find_element("#login-submit").click()
    dash_duo.wait_for_element("#shell-account-name")
    driver.get(f"{live_app.url}/forms/{new_id}")
    publish = dash_duo.wait_for_element("#fe-publish")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", publish)
    publish.click()
    dash_duo.wait_for_contains_text("#fe-competes", "“Spring sale”")
    assert "priority" in dash_duo.find_element("#fe-competes").text
    assert dash_duo.find_element("#fe-priority").get_attribute("value") == "5"
