"""The per-visitor popup cap set by the marketer: Settings > Popups saves "1", and on the
storefront a second popup does not show the same day, not even after a reload."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from backend.accounts.service import create_account
from backend.forms.popup_cap import get_popups_per_day
from tests.browser.helpers import PASSWORD, log_in, open_page, pick, until
from tests.browser.storefront import Shop, popup, storefront, wait_host

pytestmark = pytest.mark.browser
__all__ = ["storefront"]  # the shop page fixture, serving this module's `shop`

EMAIL = "popup-cap@shop.test"
STATE = "const s = window.__tallyForms || {}; return [s.showing, !!s.capped, s.popupsPerDay];"


@pytest.fixture
def shop(live_app):
    """A shop whose marketer can log in (the shared fixture's account has no login)."""
    with live_app.app.extensions["tally"].db.session() as s:
        acc = create_account(s, "Popup Cap Shop", email=EMAIL, password=PASSWORD)
    return Shop(live_app, acc.id, acc.public_key, acc.private_key)


def hosts(driver):
    return driver.find_elements(By.CSS_SELECTOR, "[data-tally-host]")


def test_with_the_cap_at_one_a_second_popup_waits_for_another_day(
    dash_duo, live_app, shop, storefront
):
    log_in(dash_duo, live_app, EMAIL)
    open_page(dash_duo, f"{live_app.url}/settings")
    assert dash_duo.find_element("#settings-popups-cap").get_attribute("value") == "2"
    pick(dash_duo, "settings-popups-cap", "1")
    dash_duo.find_element("#settings-popups-save").click()
    dash_duo.wait_for_contains_text("#settings-popups-saved", "at most 1 different popup a day")
    with shop.runtime.db.session() as s:
        assert get_popups_per_day(s, shop.account_id) == 1

    second = shop.publish({**popup(), "name": "Spring sale"})
    first = shop.publish({**popup(priority=1), "name": "Newsletter"})
    driver = dash_duo.driver
    url = storefront()
    driver.get(url)
    box = wait_host(driver, first)
    until(dash_duo, lambda d: d.execute_script(STATE)[2] == 1)  # read from the served setting
    box.find_element(By.CSS_SELECTOR, ".x").click()
    # Closing the first would let the second show under the default cap of 2; at 1 it waits.
    until(dash_duo, lambda d: d.execute_script(STATE)[1])
    assert hosts(driver) == [] and driver.execute_script(STATE)[0] is None

    driver.get(url)  # later the same day, on another page load: still no second popup
    until(dash_duo, lambda d: d.execute_script(STATE)[1])
    assert hosts(driver) == []
    assert driver.execute_script("return window.__tallyForms.shown") == []
    assert second != first
