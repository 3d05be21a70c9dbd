"""Every page of the console, with data on it, as a screen reader and a low-vision user
meet it (tests/browser/a11y_checks.py says what is checked)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from backend import lists
from backend.analytics.profiles import list_profiles
from backend.dashboards import service as dashboards
from backend.flows import service as flows
from backend.flows.starters import TEMPLATES
from backend.forms import service as forms
from backend.forms.starters import template
from tests.browser.a11y_checks import page_problems
from tests.browser.helpers import log_in, open_page

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def a11y_shop(live_app):
    """An account with traffic, a dashboard, a live form and a live flow."""
    from backend.accounts.service import create_account
    from backend.demo import seed

    runtime = live_app.app.extensions["tally"]
    with runtime.db.session() as s:
        acc = create_account(s, "Access Shop", email="a11y@shop.test", password=PASSWORD)
    seed(runtime, acc.id, events=1500, days=30, progress=False)
    with runtime.db.session() as s:
        form = forms.create(s, acc.id, template("newsletter_popup"))
        s.flush()
        forms.publish(s, acc.id, form.id)
        flow = flows.create(s, acc.id, TEMPLATES["welcome"].build(None))
        flows.activate(s, acc.id, flow.id)
        pages = {
            "dashboard": f"/dashboards/{dashboards.list_dashboards(s, acc.id)[0].id}",
            "flow": f"/flows/{flow.id}",
            "form": f"/forms/{form.id}",
            "profile": f"/profiles/{list_profiles(s, acc.id, limit=1)['profiles'][0]['id']}",
            "segment": f"/segments/{_a_segment(s, acc.id)}",
            "list": f"/lists/{lists.get_or_create(s, acc.id, 'Newsletter').id}",
        }
    return acc, pages


def _a_segment(s, account_id: str) -> int:
    from backend.segments import service as segments

    buyers = {"type": "metric", "metric": "Placed Order", "op": "gte", "value": 1, "days": 30}
    return segments.create(s, account_id, {"name": "Buyers", "conditions": [[buyers]]}).id


@pytest.mark.parametrize(
    "page",
    [
        "/",
        "/dashboards",
        "dashboard",
        "/flows",
        "flow",
        "/forms",
        "form",
        "/profiles",
        "profile",
        "/segments",
        "segment",
        "/segments/new",
        "/lists",
        "list",
        "/campaigns",
        "/settings",
    ],
)
def test_page_reads_well(dash_duo, live_app, a11y_shop, page):
    acc, pages = a11y_shop
    log_in(dash_duo, live_app, acc.login["email"])
    open_page(dash_duo, live_app.url + pages.get(page, page))
    if page == "dashboard":
        dash_duo.wait_for_element(".dcard-number")
    if page == "flow":
        dash_duo.wait_for_element("#flow-canvas .react-flow__node")
    if page == "/profiles":
        dash_duo.wait_for_element("#profiles-pages button")
    assert page_problems(dash_duo.driver) == []
    assert dash_duo.get_logs() == []


@pytest.mark.parametrize(
    "page, opener, dialog",
    [
        ("/flows", "#flows-new", "#flows-new-name"),
        ("dashboard", "#dash-add-card", "#cedit-title"),
        ("/dashboards", ".dlist-row button", "#dlist-rename-name"),
        ("/forms", "#forms-table [id*='item-del']", "#forms-delete-confirm"),
        ("segment", "#seg-delete", "#seg-delete-confirm"),
    ],
)
def test_dialog_reads_well(dash_duo, live_app, a11y_shop, page, opener, dialog):
    """Modals and drawers too: their close (X) button must say what it is."""
    acc, pages = a11y_shop
    log_in(dash_duo, live_app, acc.login["email"])
    open_page(dash_duo, live_app.url + pages.get(page, page))
    if page == "dashboard":
        dash_duo.wait_for_element(".dcard-number")
    dash_duo.find_element(opener).click()
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: d.find_element(By.CSS_SELECTOR, dialog).is_displayed()
    )
    assert page_problems(dash_duo.driver) == []
    assert dash_duo.get_logs() == []
