"""The prediction cards in a real browser: on a dashboard of an account with fitted
predictions, "Add card" -> CLV distribution and -> Top predicted customers, each previewed,
saved and drawn on the grid (the histogram with its median in words, the table linking to
profiles)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from backend.predictions import service
from backend.store.db import utcnow
from tests.browser.a11y_checks import page_problems
from tests.browser.helpers import PASSWORD, api, log_in, open_page, pick, settle, until
from tests.predictions.conftest import add_orders, simulated_orders

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def clv_shop(live_app):
    """An account of its own, 600 customers' orders over 400 days, predictions fitted."""
    from backend.accounts.service import create_account

    rt = live_app.app.extensions["tally"]
    with rt.db.session() as s:
        acc = create_account(s, "CLV Cards Shop", email="clv-cards@shop.test", password=PASSWORD)
    add_orders(rt.db, acc.id, simulated_orders(600, 400, seed=11))
    assert service.fit_account(rt.db, acc.id) == "ready"
    return acc


def add_card(dash_duo, chart_label: str, preview_selector: str, clv: str | None = None) -> None:
    dash_duo.find_element("#dash-add-card").click()
    WebDriverWait(dash_duo.driver, 10).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, "#cedit-chart"))
    )
    pick(dash_duo, "cedit-chart", chart_label)
    # What a prediction card does not use is hidden; the CLV choice only for the histogram.
    until(dash_duo, lambda _: not dash_duo.find_element("#cedit-metric").is_displayed())
    assert dash_duo.find_element("#cedit-clv").is_displayed() == (clv is not None)
    if clv:
        dash_duo.find_element("#cedit-clv").find_element(
            By.XPATH, f".//label[normalize-space()='{clv}']"
        ).click()
    dash_duo.wait_for_element(f"#cedit-preview {preview_selector}")
    dash_duo.find_element("#cedit-save").click()
    dash_duo.wait_for_no_elements("#cedit-save")


def test_add_both_prediction_cards_to_a_dashboard(dash_duo, live_app, clv_shop):
    did = api(live_app, clv_shop, "POST", "/api/dashboards", json={"name": "Customer value"})["id"]
    log_in(dash_duo, live_app, "clv-cards@shop.test")
    open_page(dash_duo, f"{live_app.url}/dashboards/{did}")
    dash_duo.wait_for_contains_text("#dashboard-empty", "no cards yet")

    add_card(dash_duo, "CLV distribution (predictions)", ".pcard-graph", clv="Predicted CLV")
    [spread] = api(live_app, clv_shop, "GET", f"/api/dashboards/{did}")["cards"]
    assert (spread["chart"], spread["title"], spread["clv"]) == (
        "clv_distribution",
        "CLV distribution",
        "predicted",
    )
    sel = f"#dcard-{spread['id']}"
    until(dash_duo, lambda _: dash_duo.find_elements(f"{sel} .pcard-graph .bars path"))
    words = dash_duo.find_element(f"{sel} .pcard-summary").text
    assert words.startswith("600 profiles by predicted CLV (next 365 days): the median is $")
    assert "the top 10% hold" in words

    add_card(dash_duo, "Top predicted customers (predictions)", "table")
    top = next(
        c
        for c in api(live_app, clv_shop, "GET", f"/api/dashboards/{did}")["cards"]
        if c["chart"] == "top_customers"
    )
    sel = f"#dcard-{top['id']}"
    assert top["top"] == 5  # the editor's "Top" field
    until(dash_duo, lambda _: len(dash_duo.find_elements(f"{sel} tbody tr")) == 5)
    first = dash_duo.find_elements(f"{sel} tbody tr")[0]
    link = first.find_element(By.TAG_NAME, "a")
    assert link.text.endswith("@shop.test")
    assert "/profiles/" in link.get_attribute("href")
    clv, orders, risk = (td.text for td in first.find_elements(By.TAG_NAME, "td")[1:])
    assert clv.startswith("$") and float(orders) > 0 and risk.endswith("%")
    settle(dash_duo)
    assert page_problems(dash_duo.driver) == []

    # Following a customer's link opens their profile.
    link.click()
    dash_duo.wait_for_element("#profile-predictions")
    assert dash_duo.get_logs() == []


def test_a_failed_fit_shows_in_settings_with_the_last_figures_kept(dash_duo, live_app, clv_shop):
    """Runs after the cards test: it breaks this module's account's next fit on purpose."""
    rt = live_app.app.extensions["tally"]
    add_orders(rt.db, clv_shop.id, [("placeholder@shop.test", utcnow(), 1e308)] * 2)
    service.request_refresh(rt.db, clv_shop.id)
    service.run_pending(rt.db)
    log_in(dash_duo, live_app, "clv-cards@shop.test")
    open_page(dash_duo, f"{live_app.url}/settings")
    alert = dash_duo.wait_for_element("#predictions-error")
    assert "The fit failed while checking the orders" in alert.text
    assert "stay in place" in alert.text
    assert dash_duo.find_element("#predictions-status").text.lower() == "ready"
    until(dash_duo, lambda _: dash_duo.find_elements("#predictions-top-table tbody a"))
    assert page_problems(dash_duo.driver) == []


def test_without_predictions_a_card_says_why_and_links_to_settings(dash_duo, live_app):
    from backend.accounts.service import create_account

    rt = live_app.app.extensions["tally"]
    with rt.db.session() as s:
        acc = create_account(s, "CLV Empty Shop", email="clv-empty@shop.test", password=PASSWORD)
    add_orders(rt.db, acc.id, [("only@shop.test", utcnow(), 20.0)])
    assert service.fit_account(rt.db, acc.id) == "not_enough_data"
    cards = [{"id": "top", "chart": "top_customers", "w": 6, "h": 3}]
    did = api(live_app, acc, "POST", "/api/dashboards", json={"name": "Value", "cards": cards})[
        "id"
    ]
    log_in(dash_duo, live_app, "clv-empty@shop.test")
    open_page(dash_duo, f"{live_app.url}/dashboards/{did}")
    empty = dash_duo.wait_for_element("#dcard-top .pcard-blocked")
    assert "Customers with orders not met (1 customers with orders (needs 500))" in empty.text
    link = empty.find_element(By.TAG_NAME, "a")
    assert link.text == "Settings › Predictions" and "/settings" in link.get_attribute("href")
    assert page_problems(dash_duo.driver) == []
