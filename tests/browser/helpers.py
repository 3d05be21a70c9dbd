"""What browser tests share: logging in, waiting for Dash to settle, reading the API, picking
from a Mantine Select. Test modules import from here, never from each other."""

from __future__ import annotations

import requests
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

PASSWORD = "correct horse battery"  # every browser test account's (tests/browser/conftest.py)

IDLE = """
if (!window.store) return false;
const s = window.store.getState(), c = s.callbacks || {};
const busy = ["requested", "prioritized", "blocked", "executing", "watched", "executed"]
    .some(k => (c[k] || []).length);
return !s.isLoading && !busy;
"""


def log_in(dash_duo, live_app, email: str | None = None, password: str | None = None) -> None:
    """Log in as `email` (the live app's account by default). With the right password it
    waits for the console's shell; with another one it returns at the click."""
    dash_duo.driver.get(f"{live_app.url}/login")
    dash_duo.wait_for_element("#email").send_keys(email or live_app.email)
    dash_duo.find_element("#password").send_keys(password or PASSWORD)
    dash_duo.find_element("#login-submit").click()
    if password is None:
        dash_duo.wait_for_element("#shell-account-name")


def log_out(dash_duo) -> None:
    """Press the shell's Log out and wait for the login form it leads to. A page loaded before
    that would race the logout POST and could still be served to the old session."""
    dash_duo.find_element("#shell-logout").click()
    dash_duo.wait_for_element("#login-submit")


def until(dash_duo, condition, timeout: float = 10):
    """WebDriverWait that also retries when a redraw replaced the element being read."""
    return WebDriverWait(
        dash_duo.driver,
        timeout,
        poll_frequency=0.3,
        ignored_exceptions=(StaleElementReferenceException,),
    ).until(condition)


def settle(dash_duo) -> None:
    """Wait until Dash has no callback in flight."""
    WebDriverWait(dash_duo.driver, 15, poll_frequency=0.2).until(lambda d: d.execute_script(IDLE))


def open_page(dash_duo, url: str) -> None:
    """Load a page and wait until Dash has drawn it and run its first callbacks."""
    dash_duo.driver.get(url)
    dash_duo.wait_for_element("#main")
    settle(dash_duo)


def api(live_app, shop, method: str, path: str, **kw):
    r = requests.request(
        method,
        live_app.url + path,
        timeout=10,
        headers={"Authorization": f"Bearer {shop.private_key}"},
        **kw,
    )
    r.raise_for_status()
    return r.json() if r.content else None


def pick(dash_duo, select_id: str, label: str) -> None:
    """Choose an option of a Mantine Select by its visible label."""
    box = dash_duo.find_element(f"#{select_id}")
    box.click()
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: any(o.text == label for o in d.find_elements(By.CSS_SELECTOR, "[role=option]"))
    )
    next(
        o
        for o in dash_duo.driver.find_elements(By.CSS_SELECTOR, "[role=option]")
        if o.text == label
    ).click()
