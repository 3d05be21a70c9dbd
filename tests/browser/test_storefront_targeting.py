"""More storefront behaviour in Chromium: scroll, exit intent, URL and device targeting, a
multi-step flyout, and hide-after-submit."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from backend.forms.starters import template
from backend.ingest import ingestor
from tests.browser.storefront import hosts, no_csp_errors, sentinel, shop, storefront, wait_host

pytestmark = pytest.mark.browser
__all__ = ["shop", "storefront"]  # fixtures of tests/browser/storefront.py


def popup(**targeting) -> dict:
    body = template("newsletter_popup")
    body["targeting"] = {"delay_seconds": 0, **targeting}
    return body


def test_scroll_and_exit_intent_triggers(dash_duo, shop, storefront):
    by_scroll = shop.publish(popup(scroll_percent=50))
    by_exit = shop.publish(popup(exit_intent=True))
    seen = shop.publish(sentinel())
    driver = dash_duo.driver
    driver.get(storefront(embed_form_id=seen))
    wait_host(driver, seen)  # embed.js ran and applied the forms: nothing else is due yet
    time.sleep(1.0)
    assert hosts(driver, by_scroll) == [] and hosts(driver, by_exit) == []
    driver.execute_script("window.scrollTo(0, document.documentElement.scrollHeight)")
    box = wait_host(driver, by_scroll)
    assert hosts(driver, by_exit) == []
    driver.execute_script(
        "document.dispatchEvent(new MouseEvent('mouseout', {clientX: 300, clientY: -2}))"
    )
    # One popup at a time: the exit-intent one waits until the open one is closed.
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script("return window.__tallyForms.waiting.length") == 1
    )
    assert hosts(driver, by_exit) == []
    box.find_element(By.CSS_SELECTOR, ".x").click()
    wait_host(driver, by_exit)
    no_csp_errors(dash_duo)


def test_url_and_device_targeting(dash_duo, shop, storefront):
    product_only = shop.publish(popup(url_contains="/product"))
    mobile_only = shop.publish(popup(device="mobile"))
    desktop_only = shop.publish(popup(device="desktop"))
    driver = dash_duo.driver
    url = storefront()
    driver.get(url)
    wait_host(driver, desktop_only)  # the window is 1400 px wide: a desktop
    time.sleep(0.5)
    assert hosts(driver, product_only) == [] and hosts(driver, mobile_only) == []
    driver.get(url + "product")
    wait_host(driver, product_only)
    assert hosts(driver, mobile_only) == []
    no_csp_errors(dash_duo)


def test_multi_step_flyout_then_hidden_after_submit(dash_duo, shop, storefront):
    body = template("discount_flyout")
    body["fields"].insert(
        1,
        {
            "name": "size",
            "type": "select",
            "label": "Your size",
            "options": ["S", "M", "L"],
            "required": True,
        },
    )
    body["steps"] = [
        {"title": "Step 1", "fields": ["email"]},
        {"title": "Step 2", "fields": ["size", "consent"]},
    ]
    body["targeting"] = {"delay_seconds": 0}
    body["frequency"] = {"hide_days_after_close": 0, "hide_after_submit": True}
    fid = shop.publish(body)
    seen = shop.publish(sentinel())
    driver = dash_duo.driver
    url = storefront(embed_form_id=seen)
    driver.get(url)
    root = wait_host(driver, fid)
    dialog = root.find_element(By.CSS_SELECTOR, "[role=dialog]")
    assert dialog.get_attribute("aria-modal") is None  # a flyout does not block the page
    size = root.find_element(By.CSS_SELECTOR, "select[name=size]")
    assert not size.is_displayed()
    root.find_element(By.CSS_SELECTOR, "input[type=email]").send_keys("steps@example.com")
    root.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 5).until(lambda d: size.is_displayed())
    assert not root.find_element(By.CSS_SELECTOR, "input[type=email]").is_displayed()
    root.find_element(By.CSS_SELECTOR, "button[type=submit]").click()  # size missing
    WebDriverWait(driver, 5).until(
        lambda d: (
            "must" in root.find_element(By.ID, size.get_attribute("id") + "-e").text
            or "select" in root.find_element(By.ID, size.get_attribute("id") + "-e").text.lower()
        )
    )
    size.send_keys("M")
    root.find_element(By.CSS_SELECTOR, "input[type=checkbox]").click()
    root.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 10).until(
        lambda d: "Check your inbox" in root.find_element(By.CSS_SELECTOR, ".bx").text
    )
    ingestor(shop.runtime).drain()
    p = shop.api("/api/profiles?email=steps@example.com").json()
    assert p["traits"]["size"] == "M" and p["lists"] == ["Discount"]
    # Escape closes; hide_days_after_close is 0, but it was submitted: never again.
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    WebDriverWait(driver, 5).until(lambda d: not hosts(d, fid))
    driver.get(url)
    wait_host(driver, seen)  # embed.js ran and applied the forms: the flyout had its chance
    time.sleep(1.0)
    assert hosts(driver, fid) == []
    no_csp_errors(dash_duo)
