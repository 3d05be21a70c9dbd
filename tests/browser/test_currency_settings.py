"""The account currency in a real browser: chosen in Settings from a searchable list (by
typing its name), then the campaign and flow e-mail previews print `{{ x | money }}` in it."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from backend.campaigns import service
from backend.flows import service as flows
from backend.flows.starters import TEMPLATES
from tests.browser.helpers import PASSWORD, log_in, open_page, settle, until

pytestmark = pytest.mark.browser

EMAIL = "currency@shop.test"


def test_a_currency_chosen_in_settings_shows_in_campaign_and_flow_previews(dash_duo, live_app):
    from backend.accounts.service import create_account

    rt = live_app.app.extensions["tally"]
    with rt.db.session() as s:
        acc = create_account(s, "Currency Shop", email=EMAIL, password=PASSWORD)
        cid = service.create(
            s,
            acc.id,
            {
                "name": "Free shipping",
                "subject": "Free shipping over {{ 100 | money }}",
                "body": "Your last order: {{ event.revenue | money }}.",
                "audience": {"lists": []},
            },
        ).id
        flow_id = flows.create(s, acc.id, TEMPLATES["post_purchase"].build()).id
    log_in(dash_duo, live_app, EMAIL)
    open_page(dash_duo, f"{live_app.url}/campaigns/{cid}")
    dash_duo.wait_for_text_to_equal("#cmp-preview-subject", "Free shipping over $100.00")

    open_page(dash_duo, f"{live_app.url}/settings")
    box = dash_duo.find_element("#settings-currency")
    assert box.get_attribute("value").startswith("USD")
    box.click()
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("Euro")
    until(
        dash_duo,
        lambda d: any(
            o.text == "EUR · Euro (€)" for o in d.find_elements(By.CSS_SELECTOR, "[role=option]")
        ),
    )
    box.send_keys(Keys.ARROW_DOWN, Keys.ENTER)  # the keyboard picks the first match
    until(dash_duo, lambda d: box.get_attribute("value").startswith("EUR"))
    dash_duo.find_element("#settings-currency-save").click()
    dash_duo.wait_for_contains_text("#settings-currency-saved", "EUR · Euro")
    dash_duo.wait_for_contains_text("#settings-currency-example", "€1,234.50")
    settle(dash_duo)

    open_page(dash_duo, f"{live_app.url}/campaigns/{cid}")
    dash_duo.wait_for_text_to_equal("#cmp-preview-subject", "Free shipping over €100.00")
    # No event behind a campaign: the amount shows the visible placeholder, not an error.
    dash_duo.wait_for_contains_text("#cmp-preview-text-body", "Your last order: —.")

    # The starter flow's thank-you previews its sample order (120.0) in euros too.
    open_page(dash_duo, f"{live_app.url}/flows/{flow_id}")
    dash_duo.wait_for_element('#flow-canvas .react-flow__node[data-id="vip_thanks"]').click()
    dash_duo.wait_for_contains_text("#flow-email-preview", "Your order of €120.00 makes you")
