"""The demo storefront against a real `tally serve` (gunicorn workers and the background
aggregator): a shopper signs up in the demo popup and the numbers rise on their own."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from backend.accounts.service import create_account
from backend.demo.storefront import create_demo_forms, storefront_server
from backend.store.db import Database
from tests.live_server import LiveServer, live_settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def served(tmp_path):
    env, settings = live_settings(tmp_path)
    db = Database(settings.database_url)
    with db.session() as s:
        acc = create_account(s, "Demo Store")
        forms = create_demo_forms(s, acc.id)
    db.dispose()
    server = LiveServer(env).start()
    shop = storefront_server(server.url, acc.public_key, embed_form_id=forms["embed"])
    threading.Thread(target=shop.serve_forever, daemon=True).start()
    yield server, f"http://127.0.0.1:{shop.server_port}/", acc, forms
    shop.shutdown()
    shop.server_close()
    server.stop()


def _until(fn, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"not true within {timeout} s")


def test_demo_popup_signup_counts_without_any_manual_step(dash_duo, served):
    server, shop_url, acc, forms = served
    driver = dash_duo.driver
    driver.get(shop_url)
    embed = WebDriverWait(driver, 10).until(
        lambda d: d.find_elements(
            By.CSS_SELECTOR, f'[data-tally-form="{forms["embed"]}"] [data-tally-host]'
        )
    )
    assert embed
    host = WebDriverWait(driver, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, f'[data-tally-host="{forms["popup"]}"]')
    )
    root = host[0].shadow_root
    root.find_element(By.CSS_SELECTOR, "input[type=email]").send_keys("visitor@fair.example")
    root.find_element(By.CSS_SELECTOR, "input[type=checkbox]").click()
    root.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 10).until(
        lambda d: (
            "Thanks for subscribing!"
            in d.find_element(By.CSS_SELECTOR, f'[data-tally-host="{forms["popup"]}"]')
            .shadow_root.find_element(By.CSS_SELECTOR, ".bx")
            .text
        )
    )

    h = {"Authorization": f"Bearer {acc.private_key}"}

    def stats():
        r = requests.get(f"{server.url}/api/forms/{forms['popup']}/stats", headers=h, timeout=5)
        return r.json() if r.json().get("submits") == 1 else None

    numbers = _until(stats)
    assert numbers["views"] == 1

    def stored():  # on SQLite the event reaches the profile after it is counted
        p = requests.get(
            f"{server.url}/api/profiles?email=visitor@fair.example", headers=h, timeout=5
        ).json()
        return p if any(e["metric"] == "Submitted Form" for e in p.get("events", [])) else None

    profile = _until(stored)
    assert profile["lists"] == ["Newsletter"]
    logs = driver.get_log("browser")
    assert not [e for e in logs if "Content Security Policy" in e["message"]], logs
