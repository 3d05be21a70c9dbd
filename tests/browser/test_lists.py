"""Lists in the browser: create a list from the navigation, import a small CSV with consent
and watch the progress finish and the rejected rows show, then read the members, growth and
sources, export the list, and find it in the lists table with its member count. A list a
segment uses is not deleted, and the table and the list's page say what uses it."""

from __future__ import annotations

import csv
import io
import json

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.a11y_checks import page_problems
from tests.browser.helpers import PASSWORD, log_in, open_page, settle, until

pytestmark = pytest.mark.browser

EMAIL = "lists-page@shop.test"
WIDTHS = "const e = document.documentElement; return [e.scrollWidth, e.clientWidth];"
CSV = (
    "email,first_name,last_name\n"
    "ada@lists.test,Ada,Lovelace\n"
    "not an address,Bad,Row\n"
    "grace@lists.test,Grace,Hopper\n"
    "ada@lists.test,Ada,Twice\n"
)


@pytest.fixture(scope="module")
def lists_owner(live_app):
    from backend.accounts.service import create_account

    with live_app.app.extensions["tally"].db.session() as s:
        return create_account(s, "List Page Shop", email=EMAIL, password=PASSWORD)


def test_create_import_read_and_export_a_list(dash_duo, live_app, lists_owner, tmp_path):
    log_in(dash_duo, live_app, EMAIL, PASSWORD)
    dash_duo.wait_for_element("#shell-account-name")
    dash_duo.find_element("#nav-lists").click()
    dash_duo.wait_for_element("#lists-empty")
    dash_duo.find_element("#lists-new-create").click()  # no name: says so, creates nothing
    dash_duo.wait_for_text_to_equal(
        "#lists-problem", "Not created. Name: must be a non-empty text."
    )
    dash_duo.find_element("#lists-new-name").send_keys("Black Friday VIPs")
    settle(dash_duo)
    dash_duo.find_element("#lists-new-name").send_keys(Keys.ENTER)
    dash_duo.wait_for_text_to_equal("#list-name", "Black Friday VIPs")
    settle(dash_duo)
    dash_duo.wait_for_element("#list-members-empty")
    list_url = dash_duo.driver.current_url

    # The keyboard reaches the file picker (its input is invisible, but in the tab order).
    assert dash_duo.driver.execute_script(
        "const i = document.querySelector('#list-import-file input[type=file]');"
        "i.focus(); return i.tabIndex >= 0 && document.activeElement === i;"
    )
    path = tmp_path / "people.csv"
    path.write_text(CSV)
    dash_duo.find_element("#list-import-consent").click()
    dash_duo.find_element("#list-import-file input[type=file]").send_keys(str(path))
    dash_duo.wait_for_text_to_equal("#list-import-chosen", "Chosen: people.csv")
    dash_duo.find_element("#list-import-start").click()
    dash_duo.wait_for_text_to_equal(
        "#list-import-progress-text", "people.csv: 4 of 4 rows done.", timeout=20
    )
    assert dash_duo.find_element("#list-import-outcome").text == (
        "2 joined, 0 were already members, 2 new profiles, 2 rejected."
    )
    rejects = [r.text for r in dash_duo.find_elements("#list-rejects tbody tr.list-reject-row")]
    assert rejects == [
        "3 not an address not an e-mail address",
        "5 ada@lists.test duplicate of row 2",
    ]
    bar = dash_duo.find_element("#list-import-progress [role=progressbar]")
    assert bar.get_attribute("aria-label") == "Import progress: 4 of 4 rows"
    assert bar.get_attribute("aria-valuenow") == "100"

    # The members, growth and sources redraw when the import finishes.
    until(dash_duo, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".list-member-row")) == 2)
    links = dash_duo.find_elements("#list-members a")
    assert [a.text for a in links] == ["ada@lists.test", "grace@lists.test"]
    assert all("/profiles/" in a.get_attribute("href") for a in links)
    dash_duo.wait_for_text_to_equal("#list-count", "2")
    dash_duo.wait_for_text_to_equal("#list-joined", "2")
    sources = dash_duo.find_element("#list-sources-table tbody").text
    assert sources.startswith('Import "people.csv"') and sources.endswith("2 0")
    dash_duo.wait_for_element("#list-growth-chart .main-svg .bars")  # the chart is drawn
    assert page_problems(dash_duo.driver) == []

    # Export: the link downloads the streamed CSV with the session's login.
    href = dash_duo.find_element("#list-export").get_attribute("href")
    cookies = {c["name"]: c["value"] for c in dash_duo.driver.get_cookies()}
    r = requests.get(href, cookies=cookies, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [(x["email"], x["first_name"], x["email_status"]) for x in rows] == [
        ("ada@lists.test", "Ada", "subscribed"),
        ("grace@lists.test", "Grace", "subscribed"),
    ]
    anonymous = requests.get(href, timeout=10, allow_redirects=False)
    assert anonymous.status_code in (302, 401) and "ada@" not in anonymous.text

    open_page(dash_duo, f"{live_app.url}/lists")
    row = dash_duo.find_element(".list-row")
    assert (
        "Black Friday VIPs" in row.text
        and row.find_element(By.CSS_SELECTOR, ".list-members").text == "2"
    )
    assert list_url.startswith(f"{live_app.url}/lists/")
    assert page_problems(dash_duo.driver) == []
    assert dash_duo.get_logs() == []

    # On a phone (390 px) neither page scrolls sideways.
    dash_duo.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True},
    )
    for url in (f"{live_app.url}/lists", list_url):
        open_page(dash_duo, url)
        scroll, width = dash_duo.driver.execute_script(WIDTHS)
        assert scroll <= width + 1, (url, scroll, width)


def test_a_list_in_use_is_not_deleted_and_the_page_says_by_what(dash_duo, live_app, lists_owner):
    from backend.lists import service
    from backend.segments import service as segments

    with live_app.app.extensions["tally"].db.session() as s:
        lid = service.create(s, lists_owner.id, {"name": "Winback"}).id
        cond = {"type": "list", "list": "Winback"}
        segments.create(s, lists_owner.id, {"name": "Lapsed", "conditions": [[cond]]})
    log_in(dash_duo, live_app, EMAIL, PASSWORD)
    dash_duo.wait_for_element("#shell-account-name")
    open_page(dash_duo, f"{live_app.url}/lists")
    dom_id = json.dumps({"id": lid, "kind": "lists", "type": "item-del"}, separators=(",", ":"))
    dash_duo.driver.find_element(By.XPATH, f"//*[@id='{dom_id}']").click()
    dash_duo.wait_for_contains_text("#lists-delete-text", 'segment "Lapsed"')
    dash_duo.find_element("#lists-delete-confirm").click()
    dash_duo.wait_for_contains_text("#lists-status", 'Not deleted. List "Winback" is used by')
    assert dash_duo.find_element(f"#lists-row-{lid}").is_displayed()
    open_page(dash_duo, f"{live_app.url}/lists/{lid}")
    assert dash_duo.find_element("#list-used-by").text == 'Used by segment "Lapsed".'
