"""The smaller stumbles, each in Chromium: group-by menus name Tally's own dimensions,
"Big number with change" turns compare on, a live flow does not offer Activate, and a
storefront form's errors read in its own text colour without echoing the label."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from backend.flows import service as flows
from backend.flows.starters import TEMPLATES
from backend.forms import service as forms
from backend.forms.starters import template
from tests.browser.helpers import PASSWORD, api, log_in, open_page, pick
from tests.browser.storefront import popup, shop, storefront, wait_host

pytestmark = pytest.mark.browser
__all__ = ["shop", "storefront"]


@pytest.fixture(scope="module")
def small(live_app):
    from backend.accounts.service import create_account

    runtime = live_app.app.extensions["tally"]
    with runtime.db.session() as s:
        acc = create_account(s, "Small Shop", email="small@shop.test", password=PASSWORD)
        forms.create(s, acc.id, template("newsletter_popup"))  # counts by "$form" from now on
        flow = flows.create(s, acc.id, TEMPLATES["welcome"].build(None))
        s.flush()
        flows.activate(s, acc.id, flow.id)
        flow_id = flow.id
    return acc, flow_id


def test_group_by_names_and_big_number_turns_compare_on(dash_duo, live_app, small):
    small, _ = small
    did = api(live_app, small, "POST", "/api/dashboards", json={"name": "Small", "cards": []})["id"]
    log_in(dash_duo, live_app, small.login["email"])
    open_page(dash_duo, f"{live_app.url}/dashboards/{did}")
    dash_duo.find_element("#dash-add-card").click()
    WebDriverWait(dash_duo.driver, 10).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, "#cedit-by"))
    ).click()
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "[role=option]")
    )
    options = [o.text for o in dash_duo.driver.find_elements(By.CSS_SELECTOR, "[role=option]")]
    assert "Form" in options and not [o for o in options if o.startswith("$")], options
    dash_duo.find_element("#cedit-by").click()  # close it

    assert not dash_duo.find_element("#cedit-compare").is_selected()
    pick(dash_duo, "cedit-chart", "Big number with change")
    WebDriverWait(dash_duo.driver, 10).until(
        lambda _: dash_duo.find_element("#cedit-compare").is_selected()
    )


def test_a_live_flow_does_not_offer_activate(dash_duo, live_app, small):
    small, flow_id = small
    log_in(dash_duo, live_app, small.login["email"])
    dash_duo.driver.get(f"{live_app.url}/flows/{flow_id}")
    dash_duo.wait_for_element("#flow-canvas .react-flow__node")
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: d.find_element(By.ID, "flow-status").text.lower() == "live"
    )
    assert not dash_duo.find_element("#flow-activate").is_enabled()
    assert dash_duo.find_element("#flow-pause").is_enabled()


LUMINANCE = """
const rgb = getComputedStyle(arguments[0]).color.match(/[\\d.]+/g).slice(0, 3).map(Number);
const lin = c => (c /= 255) <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
return 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2]);
"""


def test_form_errors_contrast_on_the_form_and_do_not_echo_the_label(dash_duo, shop, storefront):
    body = popup()
    body["style"] = {**body.get("style", {}), "background": "#1f2937", "text_color": "#ffffff"}
    fid = shop.publish(body)
    driver = dash_duo.driver
    driver.get(storefront())
    root = wait_host(driver, fid)
    root.find_element(By.CSS_SELECTOR, "input[type=email]").send_keys("bad-address")
    root.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    err = root.find_element(By.CSS_SELECTOR, ".err[role=alert]")
    WebDriverWait(driver, 10).until(lambda d: err.text)
    assert not err.text.startswith("Email"), err.text
    fg = driver.execute_script(LUMINANCE, err)
    bg = 0.2126 * (0x1F / 255 / 12.92) + 0.7152 * ((0x29 / 255 + 0.055) / 1.055) ** 2.4
    bg += 0.0722 * ((0x37 / 255 + 0.055) / 1.055) ** 2.4
    assert (max(fg, bg) + 0.05) / (min(fg, bg) + 0.05) >= 4.5


def test_login_lands_on_the_overview(dash_duo, live_app):
    from backend.accounts.service import create_account
    from backend.ingest import ingestor

    runtime = live_app.app.extensions["tally"]
    with runtime.db.session() as s:
        acc = create_account(s, "Landing Shop", email="landing@shop.test", password=PASSWORD)
    ing = ingestor(runtime)
    ing.accept(acc.id, [{"type": "track", "event": "Placed Order", "userId": "u1"}])
    ing.drain()
    log_in(dash_duo, live_app, "landing@shop.test")
    dash_duo.wait_for_text_to_equal("#dashboard-name", "Overview")
    assert "/dashboards/" in dash_duo.driver.current_url


def test_the_demo_shows_a_plausible_click_to_open_ratio(dash_duo, live_app):
    from backend.accounts.service import create_account
    from backend.demo import seed

    runtime = live_app.app.extensions["tally"]
    with runtime.db.session() as s:
        acc = create_account(s, "Demo Mail Shop", email="demomail@shop.test", password=PASSWORD)
    seed(runtime, acc.id, events=6000, days=30, progress=False)
    card = {"chart": "number", "range": "last_30_days", "y": 0, "w": 3, "h": 1}
    did = api(
        live_app,
        acc,
        "POST",
        "/api/dashboards",
        json={
            "name": "E-mail",
            "cards": [
                {**card, "id": "opens", "title": "Opens", "metric": "Opened Email", "x": 0},
                {**card, "id": "clicks", "title": "Clicks", "metric": "Clicked Email", "x": 3},
            ],
        },
    )["id"]
    log_in(dash_duo, live_app, "demomail@shop.test")
    open_page(dash_duo, f"{live_app.url}/dashboards/{did}")

    def number(cid: str) -> int:
        el = dash_duo.wait_for_element(f"#dcard-{cid} .dcard-number")
        return int(el.get_attribute("title").replace(",", ""))

    opens, clicks = number("opens"), number("clicks")
    assert opens > 0 and 0.10 <= clicks / opens <= 0.25, (opens, clicks)
