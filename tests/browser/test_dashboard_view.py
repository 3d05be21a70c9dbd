"""Looking is not editing: filters tried on a dashboard are the person's, kept in the page's
link (which opens the same view for whoever gets it), and become everyone's only through
"Save as default"."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.helpers import PASSWORD, api, log_in, open_page, pick, settle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def shop(live_app):
    from backend.accounts.service import create_account

    runtime = live_app.app.extensions["tally"]
    with runtime.db.session() as s:
        return create_account(s, "View Shop", email="view@shop.test", password=PASSWORD)


def saved(live_app, shop, did: int) -> dict:
    return api(live_app, shop, "GET", f"/api/dashboards/{did}")["filters"]


def test_tried_filters_live_in_the_link_until_saved_as_default(dash_duo, live_app, shop):
    did = api(
        live_app,
        shop,
        "POST",
        "/api/dashboards",
        json={
            "name": "Shared",
            "filters": {"range": "last_30_days"},
            "cards": [
                {"id": "orders", "title": "Orders", "metric": "Placed Order", "chart": "number"}
            ],
        },
    )["id"]
    page = f"{live_app.url}/dashboards/{did}"
    log_in(dash_duo, live_app, shop.login["email"])
    open_page(dash_duo, page)
    assert not dash_duo.find_element("#dash-view-actions").is_displayed()

    pick(dash_duo, "dash-range", "Last 7 days")
    pick(dash_duo, "dash-country", "Germany (DE)")
    dash_duo.wait_for_contains_text("#dcard-orders .dcard-sub", "DE")
    WebDriverWait(dash_duo.driver, 10).until(lambda d: "country=DE" in d.current_url)
    link = dash_duo.driver.current_url
    assert "range=last_7_days" in link
    assert dash_duo.find_element("#dash-view-actions").is_displayed()
    settle(dash_duo)
    assert saved(live_app, shop, did) == {"range": "last_30_days", "country": None}

    # The bare page still opens the default; the link opens the view that was tried.
    open_page(dash_duo, page)
    assert dash_duo.find_element("#dash-range").get_attribute("value") == "Last 30 days"
    assert "DE" not in dash_duo.wait_for_element("#dcard-orders .dcard-sub").text
    open_page(dash_duo, link)
    assert dash_duo.find_element("#dash-range").get_attribute("value") == "Last 7 days"
    dash_duo.wait_for_contains_text("#dcard-orders .dcard-sub", "DE")

    # Save as default: now it is everyone's, and the page says nothing is left to save.
    dash_duo.find_element("#dash-save-default").click()
    dash_duo.wait_for_contains_text("#dashboard-status", "Saved as the default for everyone")
    assert saved(live_app, shop, did) == {"range": "last_7_days", "country": "DE"}
    WebDriverWait(dash_duo.driver, 10).until(
        lambda _: not dash_duo.find_element("#dash-view-actions").is_displayed()
    )

    # Reset brings a tried view back to the default.
    pick(dash_duo, "dash-country", "All countries")
    WebDriverWait(dash_duo.driver, 10).until(lambda d: "country=&" in d.current_url + "&")
    dash_duo.find_element("#dash-reset-view").click()
    dash_duo.wait_for_contains_text("#dcard-orders .dcard-sub", "DE")
    WebDriverWait(dash_duo.driver, 10).until(lambda d: "country=DE" in d.current_url)
    assert dash_duo.get_logs() == []
