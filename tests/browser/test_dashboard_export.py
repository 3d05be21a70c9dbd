"""The dashboard's Export menu downloads what the page shows, for the logged-in user."""

from __future__ import annotations

import pytest
import requests
from pypdf import PdfReader

from tests.browser.helpers import PASSWORD, log_in, settle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def shop(live_app):
    """An account of this module's own, with some traffic."""
    from backend.accounts.service import create_account
    from backend.demo import seed

    runtime = live_app.app.extensions["tally"]
    with runtime.db.session() as s:
        acc = create_account(s, "Dash Shop", email="export@shop.test", password=PASSWORD)
    seed(runtime, acc.id, events=1500, days=30, progress=False)
    return acc


def test_export_menu_downloads_the_page_as_shown(dash_duo, live_app, shop):
    import io

    h = {"Authorization": f"Bearer {shop.private_key}"}
    [overview] = requests.get(f"{live_app.url}/api/dashboards", headers=h, timeout=10).json()[
        "dashboards"
    ]
    log_in(dash_duo, live_app, "export@shop.test")
    dash_duo.driver.get(f"{live_app.url}/dashboards/{overview['id']}")
    dash_duo.wait_for_element("#dash-export").click()
    link = dash_duo.wait_for_element('a[href*="format=pdf"]')
    href = link.get_attribute("href")
    assert f"/dashboards/{overview['id']}/export?" in href and "range=last_30_days" in href
    # The browser's own session downloads it (no API key in a browser).
    cookies = {c["name"]: c["value"] for c in dash_duo.driver.get_cookies()}
    r = requests.get(href, cookies=cookies, timeout=60)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    assert "attachment" in r.headers["Content-Disposition"]
    text = PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    assert "Overview" in text and "Dash Shop" in text
    csv = requests.get(href.replace("format=pdf", "format=csv"), cookies=cookies, timeout=30)
    assert csv.text.startswith("card,series,t,count,revenue")
    # Without the session: the login wall, never the data.
    anon = requests.get(href, timeout=30, allow_redirects=False)
    assert anon.status_code in (302, 303) and "/login" in anon.headers["Location"]
    # Clicking it: the page says the report is being made (seconds), then that it is saved.
    dash_duo.wait_for_element('a[href*="format=pdf"]').click()
    dash_duo.wait_for_contains_text("#dash-export-status", "PDF report", timeout=5)
    dash_duo.wait_for_contains_text("#dash-export-status", "PDF report downloaded: ", timeout=60)
    assert dash_duo.find_element("#dash-export-status").text.endswith(".pdf.")
    settle(dash_duo)
    assert dash_duo.get_logs() == []


def test_email_this_dashboard_sets_its_schedule(dash_duo, live_app, shop):
    from selenium.webdriver.common.keys import Keys

    h = {"Authorization": f"Bearer {shop.private_key}"}
    [overview] = requests.get(f"{live_app.url}/api/dashboards", headers=h, timeout=10).json()[
        "dashboards"
    ]
    log_in(dash_duo, live_app, "export@shop.test")
    dash_duo.driver.get(f"{live_app.url}/dashboards/{overview['id']}")
    dash_duo.wait_for_element("#dash-export").click()
    dash_duo.wait_for_element("#dash-schedule-open").click()
    box = dash_duo.wait_for_element("#dash-schedule-recipients")
    box.send_keys("not-an-address" + Keys.ENTER)
    dash_duo.find_element("#dash-schedule-save").click()
    # The address as typed, not the service's "recipients[0]"; and nothing is saved.
    dash_duo.wait_for_contains_text(
        "#dash-schedule-summary", "Recipients: “not-an-address” is not an e-mail address"
    )
    assert "recipients[" not in dash_duo.find_element("#dash-schedule-summary").text
    assert (
        requests.get(
            f"{live_app.url}/api/dashboards/{overview['id']}/schedule", headers=h, timeout=10
        ).status_code
        == 404
    )
    for _ in range(20):  # clear the bad tag
        box.send_keys(Keys.BACKSPACE)
    box.send_keys("boss@shop.test" + Keys.ENTER)
    dash_duo.find_element("#dash-schedule-save").click()
    dash_duo.wait_for_contains_text("#dash-schedule-summary", "every monday")
    sched = requests.get(
        f"{live_app.url}/api/dashboards/{overview['id']}/schedule", headers=h, timeout=10
    )
    assert (
        sched.json()["recipients"] == ["boss@shop.test"] and sched.json()["frequency"] == "weekly"
    )
    dash_duo.find_element("#dash-schedule-stop").click()
    dash_duo.wait_for_contains_text("#dash-schedule-summary", "E-mails stopped")
    settle(dash_duo)
    assert dash_duo.get_logs() == []
