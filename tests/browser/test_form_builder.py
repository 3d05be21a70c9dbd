"""The form builder as a marketer uses it: create from a template, edit with the live
preview (drawn by embed.js at two widths), publish, see the numbers, duplicate, delete."""

from __future__ import annotations

import pytest
import requests
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from backend.forms import service
from backend.forms.starters import template
from backend.ingest import ingestor

pytestmark = pytest.mark.browser


def log_in(dash_duo, live_app) -> None:
    dash_duo.driver.get(f"{live_app.url}/login")
    dash_duo.wait_for_element("#email").send_keys(live_app.email)
    dash_duo.find_element("#password").send_keys(live_app.password)
    dash_duo.find_element("#login-submit").click()
    dash_duo.wait_for_text_to_equal("#shell-account-name", live_app.account_name)


def preview_text(driver, which: str) -> str:
    """The text embed.js drew inside the preview iframe's shadow root."""
    frame = driver.find_element(By.ID, f"fe-preview-{which}")
    driver.switch_to.frame(frame)
    try:
        hosts = driver.find_elements(By.CSS_SELECTOR, "[data-tally-host]")
        return hosts[0].shadow_root.find_element(By.CSS_SELECTOR, ".bx").text if hosts else ""
    except WebDriverException:  # the preview was just redrawn (stale, detached): look again
        return ""
    finally:
        driver.switch_to.default_content()


def test_create_edit_preview_publish_duplicate_delete(dash_duo, live_app):
    driver = dash_duo.driver
    log_in(dash_duo, live_app)
    dash_duo.find_element("#nav-forms").click()
    dash_duo.wait_for_element("#forms-templates")
    driver.find_element(By.XPATH, "//button[contains(., 'New newsletter popup')]").click()
    dash_duo.wait_for_element("#fe-preview-desktop")
    form_id = int(driver.current_url.rstrip("/").rsplit("/", 1)[1])

    wait = WebDriverWait(driver, 15, poll_frequency=0.2)
    wait.until(lambda d: "Join our newsletter" in preview_text(d, "desktop"))
    assert "Join our newsletter" in preview_text(driver, "mobile")

    driver.find_element(By.XPATH, "//button[contains(., 'Texts')]").click()
    title = dash_duo.wait_for_element("#fe-title")
    wait.until(lambda d: title.is_displayed())
    title.send_keys(Keys.CONTROL, "a")
    title.send_keys("<b>Win</b> a tent")
    wait.until(lambda d: "<b>Win</b> a tent" in preview_text(d, "desktop"))
    assert "<b>Win</b> a tent" in preview_text(driver, "mobile")

    # Two steps: the first name moves to step 2, and the steps get titles.
    step = driver.find_element(By.CSS_SELECTOR, """[id='{"index":1,"type":"fe-field-step"}']""")
    step.send_keys(Keys.CONTROL, "a")
    step.send_keys("2")
    titles = dash_duo.find_element("#fe-step-titles")
    titles.send_keys("Who are you?")
    titles.send_keys(Keys.ENTER)
    titles.send_keys("Almost there")
    wait.until(lambda d: "Who are you?" in preview_text(d, "desktop"))
    assert "First name" not in preview_text(driver, "desktop")

    dash_duo.find_element("#fe-field-add").click()
    wait.until(lambda d: "New field" in preview_text(d, "desktop"))

    publish = dash_duo.find_element("#fe-publish")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", publish)
    publish.click()
    dash_duo.wait_for_contains_text("#fe-notice", "Published version")
    wait.until(lambda d: d.find_element(By.ID, "fe-status").text.lower() == "live")
    headers = {"Authorization": f"Bearer {live_app.private_key}"}
    form = requests.get(f"{live_app.url}/api/forms/{form_id}", headers=headers, timeout=10).json()
    assert form["status"] == "live" and form["texts"]["title"] == "<b>Win</b> a tent"
    assert [f["label"] for f in form["fields"]][-1] == "New field"
    assert [(st["title"], st["fields"]) for st in form["steps"]] == [
        ("Who are you?", ["email", "consent", "field_3"]),
        ("Almost there", ["first_name"]),
    ]
    unpublish = dash_duo.find_element("#fe-unpublish")
    unpublish.click()
    wait.until(lambda d: d.find_element(By.ID, "fe-status").text.lower() == "draft")
    assert (
        requests.get(f"{live_app.url}/api/forms/{form_id}", headers=headers, timeout=10).json()[
            "status"
        ]
        == "draft"
    )
    publish.click()
    wait.until(lambda d: d.find_element(By.ID, "fe-status").text.lower() == "live")

    # A storefront view and a submission, then the list shows the numbers.
    runtime = live_app.app.extensions["tally"]
    requests.post(
        f"{live_app.url}/client/forms/{form_id}/view?key={_public_key(live_app)}",
        data='{"visitor": "v1"}',
        timeout=10,
    )
    requests.post(
        f"{live_app.url}/client/forms/{form_id}/view?key={_public_key(live_app)}",
        data='{"visitor": "v2"}',
        timeout=10,
    )
    r = requests.post(
        f"{live_app.url}/client/forms/{form_id}/submit?key={_public_key(live_app)}",
        json={"fields": {"email": "tent@example.com", "consent": True}},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    ingestor(runtime).drain()
    # A form name holding markup is shown as text in the console too.
    with runtime.db.session() as s:
        body = template("footer_embed")
        body["name"] = '<img src=x id=pwned onerror="document.title=1">'
        evil = service.create(s, live_app.account_id, body)
        s.flush()
        evil_id = evil.id

    dash_duo.find_element("#nav-forms").click()
    row = dash_duo.wait_for_element(f"#form-row-{form_id}")
    assert row.find_element(By.CLASS_NAME, "form-views").text == "2"
    assert row.find_element(By.CLASS_NAME, "form-submits").text == "1"
    assert row.find_element(By.CLASS_NAME, "form-conversion").text == "50.0 %"
    assert "live" in row.text.lower()
    evil_row = dash_duo.find_element(f"#form-row-{evil_id}")
    assert '<img src=x id=pwned onerror="document.title=1">' in evil_row.text
    assert driver.find_elements(By.ID, "pwned") == [] and driver.title != "1"

    rows = len(driver.find_elements(By.CSS_SELECTOR, ".form-row"))
    row.find_element(By.XPATH, ".//button[contains(., 'Duplicate')]").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".form-row")) == rows + 1)
    assert "(copy)" in driver.find_elements(By.CSS_SELECTOR, ".form-row")[-1].text
    # Delete asks first (a live form leaves every storefront at once); Cancel keeps it.
    live_delete = dash_duo.find_element(f"#form-row-{form_id}").find_element(
        By.XPATH, ".//button[contains(., 'Delete')]"
    )
    assert live_delete.get_attribute("aria-label") == f"Delete {form['name']}"
    live_delete.click()
    dash_duo.wait_for_contains_text("#forms-delete-text", "It is live")
    dash_duo.find_element("#forms-delete-cancel").click()
    wait.until(lambda d: not d.find_elements(By.ID, "forms-delete-text"))
    assert driver.find_elements(By.ID, f"form-row-{form_id}")
    dash_duo.find_element(f"#form-row-{evil_id}").find_element(
        By.XPATH, ".//button[contains(., 'Delete')]"
    ).click()
    dash_duo.wait_for_contains_text("#forms-delete-text", "This cannot be undone")
    assert dash_duo.find_elements(f"#form-row-{evil_id}")  # nothing gone before confirming
    dash_duo.find_element("#forms-delete-confirm").click()
    wait.until(lambda d: not d.find_elements(By.ID, f"form-row-{evil_id}"))
    assert len(driver.find_elements(By.CSS_SELECTOR, ".form-row")) == rows
    assert driver.find_elements(By.ID, f"form-row-{form_id}")
    assert dash_duo.get_logs() == []


def _public_key(live_app) -> str:
    from backend.accounts.keys import public_key

    with live_app.app.extensions["tally"].db.session() as s:
        return public_key(s, live_app.account_id)


def test_bad_input_says_where_to_fix_it_and_saves_nothing(dash_duo, live_app):
    with live_app.app.extensions["tally"].db.session() as s:
        form = service.create(s, live_app.account_id, template("newsletter_popup"))
        s.flush()
        form_id, version = form.id, service.to_json(form)["version"]
    log_in(dash_duo, live_app)
    dash_duo.driver.get(f"{live_app.url}/forms/{form_id}")
    name = dash_duo.wait_for_element("""[id='{"index":1,"type":"fe-field-name"}']""")
    name.send_keys(Keys.CONTROL, "a")
    name.send_keys("First Name")
    # The editor's words (the second row, its Name box), not the schema's "fields[1].name".
    dash_duo.wait_for_contains_text("#fe-problems", "Field 2 (First Name) › Name: use lower-case")
    problems = dash_duo.find_element("#fe-problems").text
    assert "fields[" not in problems and "steps[" not in problems
    save = dash_duo.find_element("#fe-save")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", save)
    save.click()
    dash_duo.wait_for_contains_text("#fe-notice", "Field 2 (First Name) › Name")
    headers = {"Authorization": f"Bearer {live_app.private_key}"}
    stored = requests.get(f"{live_app.url}/api/forms/{form_id}", headers=headers, timeout=10).json()
    assert stored["version"] == version
    assert [f["name"] for f in stored["fields"]][1] == "first_name"
    assert dash_duo.get_logs() == []
