"""The main path a new user walks: log in, see the shell, manage keys on Settings, log out."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.helpers import log_in, log_out

pytestmark = pytest.mark.browser


def test_log_in_create_and_revoke_a_key_then_log_out(dash_duo, live_app):
    log_in(dash_duo, live_app)
    dash_duo.wait_for_text_to_equal("#shell-account-name", live_app.account_name)
    nav = dash_duo.find_element("#shell-nav")
    assert "Settings" in nav.text

    dash_duo.find_element("#nav-settings").click()
    dash_duo.wait_for_element("#settings-keys")
    WebDriverWait(dash_duo.driver, 5).until(
        lambda d: d.find_element(By.ID, "nav-settings").get_attribute("aria-current") == "page"
    )
    others = dash_duo.find_elements("#shell-nav a:not(#nav-settings)")
    assert others and all(a.get_attribute("aria-current") is None for a in others)
    rows_before = len(dash_duo.find_elements("#settings-keys .key-row"))

    dash_duo.find_element("#settings-key-label").send_keys("browser test key")
    dash_duo.find_element("#settings-create-key").click()
    dash_duo.wait_for_contains_text("#settings-new-key", "New write key created")
    raw = dash_duo.find_element("#settings-new-key-text").text
    assert raw.startswith("tw_")
    # Copying is a real, focusable button (keyboard users need it too).
    assert dash_duo.find_element("#settings-copy-key").tag_name == "button"
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: (
            len(d.find_elements(By.CSS_SELECTOR, "#settings-keys .key-row")) == rows_before + 1
        )
    )
    new_row = dash_duo.find_elements("#settings-keys .key-row")[-1]
    row_id = new_row.get_attribute("id")
    assert "browser test key" in new_row.text
    assert raw not in new_row.text  # the secret is masked in the list
    assert "active" in new_row.text.lower()

    assert dash_duo.find_element("#settings-key-label").get_attribute("value") == ""
    revoke_button = dash_duo.find_element(f"#{row_id} button")
    assert "browser test key" in revoke_button.get_attribute("aria-label")
    revoke_button.click()
    dash_duo.wait_for_contains_text("#settings-revoke-what", "“browser test key”")
    # Focus starts on Cancel, so a stray Enter cannot revoke; Escape closes the dialog.
    WebDriverWait(dash_duo.driver, 5).until(
        lambda d: d.switch_to.active_element.get_attribute("id") == "settings-revoke-cancel"
    )
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    dash_duo.wait_for_no_elements("#settings-revoke-confirm")
    assert "active" in dash_duo.find_element(f"#{row_id}").text.lower()

    dash_duo.find_element(f"#{row_id} button").click()
    dash_duo.wait_for_element("#settings-revoke-confirm").click()
    WebDriverWait(dash_duo.driver, 10).until(
        EC.text_to_be_present_in_element((By.ID, row_id), "revoked")
    )
    assert "key-revoked" in dash_duo.find_element(f"#{row_id}").get_attribute("class")
    dash_duo.wait_for_no_elements("#settings-revoke-confirm")

    log_out(dash_duo)
    dash_duo.driver.get(f"{live_app.url}/settings")
    dash_duo.wait_for_element("#login-submit")  # the wall is back
    assert dash_duo.get_logs() == []


def test_wrong_password_shows_an_error(dash_duo, live_app):
    log_in(dash_duo, live_app, password="not the password")
    error = dash_duo.wait_for_element("#login-error")
    assert "do not match" in error.text
    assert error.get_attribute("role") == "alert"
    # The e-mail is kept so the user only retypes the password.
    assert dash_duo.find_element("#email").get_attribute("value") == live_app.email
    dash_duo.find_element("#password").send_keys(live_app.password + Keys.ENTER)
    dash_duo.wait_for_text_to_equal("#shell-account-name", live_app.account_name)
    assert dash_duo.get_logs() == []
