"""Predictions in a real browser: Settings › Predictions before any fit, a refresh with its
progress while the fit runs (as the jobs process runs it), the gates met with their figures,
the backtest chart; then a customer's profile page with its Predictions card."""

from __future__ import annotations

import threading

import pytest

from backend.predictions import service
from tests.browser.a11y_checks import page_problems
from tests.browser.helpers import log_in, open_page, settle, until
from tests.predictions.conftest import add_orders, simulated_orders

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def predict_shop(live_app):
    """An account of its own with 600 customers' orders over 400 days."""
    from backend.accounts.service import create_account

    rt = live_app.app.extensions["tally"]
    with rt.db.session() as s:
        acc = create_account(s, "Predict Shop", email="clv@shop.test", password=PASSWORD)
    ids = add_orders(rt.db, acc.id, simulated_orders(600, 400, seed=3))
    return acc, ids


def status_is(dash_duo, text: str, timeout: float = 10) -> None:
    """The status badge (shown in capitals by its style) says `text`."""
    until(
        dash_duo,
        lambda _: dash_duo.find_element("#predictions-status").text.lower() == text.lower(),
        timeout,
    )


def test_refresh_fits_and_shows_gates_backtest_and_profile_card(dash_duo, live_app, predict_shop):
    acc, ids = predict_shop
    rt = live_app.app.extensions["tally"]
    log_in(dash_duo, live_app, "clv@shop.test")
    open_page(dash_duo, f"{live_app.url}/settings")
    status_is(dash_duo, "Not fitted yet")
    assert "Press Refresh" in dash_duo.find_element("#predictions-body").text

    dash_duo.find_element("#predictions-refresh").click()
    dash_duo.wait_for_contains_text("#predictions-notice", "Refresh asked for")
    status_is(dash_duo, "Fitting")
    assert dash_duo.find_element("#predictions-progress")  # a progress bar while it works
    # Clicked again while fitting: refused, said so, nothing else changes.
    dash_duo.find_element("#predictions-refresh").click()
    dash_duo.wait_for_contains_text("#predictions-notice", "being fitted")

    # The jobs process's pass (the live server runs none of its own).
    worker = threading.Thread(target=service.run_pending, args=(rt.db,))
    worker.start()
    worker.join(60)
    status_is(dash_duo, "Ready", 20)
    gate = dash_duo.find_element("#predictions-gate-customers_with_orders").text
    assert "met: 600 customers with orders (needs 500)" in gate
    until(dash_duo, lambda _: dash_duo.find_elements("#predictions-backtest-chart .bars path"))
    assert "Error:" in dash_duo.find_element("#predictions-backtest-error").text

    # The CLV distribution and the top customers, each linking to their profile.
    until(dash_duo, lambda _: dash_duo.find_elements("#predictions-clv-chart .bars path"))
    links = dash_duo.find_elements("#predictions-top-table tbody a")
    assert len(links) == 10 and links[0].get_attribute("href").startswith(live_app.url)

    # With every figure on it, the section still reads well (headings, names, contrast).
    assert page_problems(dash_duo.driver) == []

    # A customer's profile page explains each figure.
    pid = next(iter(ids.values()))
    open_page(dash_duo, f"{live_app.url}/profiles/{pid}")
    card = dash_duo.wait_for_element("#profile-predictions")
    settle(dash_duo)
    for label in ("Historic CLV", "Predicted CLV", "Churn risk", "Expected next order"):
        assert label.lower() in card.text.lower()
    assert dash_duo.find_element("#prediction-predicted").text.startswith("$")
    assert page_problems(dash_duo.driver) == []
    assert dash_duo.get_logs() == []
