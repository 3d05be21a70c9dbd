"""A phone, 390 px wide: no page scrolls sideways (each is opened and measured), dashboard
cards stack in one column, tables scroll inside themselves, and the flow editor opens
read-only with a note."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from backend import lists
from backend.analytics.profiles import list_profiles
from backend.dashboards import service as dashboards
from backend.flows import service as flows
from backend.flows.starters import TEMPLATES
from backend.forms import service as forms
from backend.forms.starters import template
from tests.browser.helpers import PASSWORD, log_in, open_page

pytestmark = pytest.mark.browser

OVERFLOW = """
const vw = document.documentElement.clientWidth;
const wide = [...document.querySelectorAll('body *')].filter(el => {
  const r = el.getBoundingClientRect();
  if (!r.width || r.right <= vw + 1) return false;
  // inside something that scrolls (or clips) on its own: not the page's overflow
  for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX;
    if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return false;
  }
  return true;
}).slice(0, 5).map(el => el.tagName + '.' + el.className + '#' + el.id + ' ' +
                     Math.round(el.getBoundingClientRect().right));
return [document.documentElement.scrollWidth, vw, wide];
"""


@pytest.fixture(scope="module")
def phone_shop(live_app):
    from backend.accounts.service import create_account
    from backend.demo import seed

    runtime = live_app.app.extensions["tally"]
    with runtime.db.session() as s:
        acc = create_account(s, "Phone Shop", email="phone@shop.test", password=PASSWORD)
    seed(runtime, acc.id, events=800, days=14, progress=False)
    with runtime.db.session() as s:
        flow = flows.create(s, acc.id, TEMPLATES["welcome"].build(None)).id
        form = forms.create(s, acc.id, template("newsletter_popup")).id
        dash = dashboards.list_dashboards(s, acc.id)[0].id
        profile = list_profiles(s, acc.id, limit=1)["profiles"][0]["id"]
        newsletter = lists.get_or_create(s, acc.id, "Newsletter").id
    pages = [
        "/",
        "/dashboards",
        f"/dashboards/{dash}",
        "/flows",
        f"/flows/{flow}",
        "/forms",
        f"/forms/{form}",
        "/profiles",
        f"/profiles/{profile}",
        "/segments",
        "/lists",
        f"/lists/{newsletter}",
        "/campaigns",
        "/settings",
    ]
    return acc, pages


def phone(dash_duo) -> None:
    dash_duo.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True},
    )


def test_no_page_scrolls_sideways_at_390_px(dash_duo, live_app, phone_shop):
    acc, pages = phone_shop
    log_in(dash_duo, live_app, acc.login["email"])
    phone(dash_duo)
    found = {}
    for path in pages:
        open_page(dash_duo, live_app.url + path)
        scroll, width, wide = dash_duo.driver.execute_script(OVERFLOW)
        if scroll > width + 1:
            found[path] = (scroll, wide)
    assert not found, found


CARDS = """
return [...document.querySelectorAll('.react-grid-item')].map(el => {
  const r = el.getBoundingClientRect();
  return [Math.round(r.left), Math.round(r.width), Math.round(r.top)];
});
"""


def test_cards_stack_and_the_flow_editor_is_read_only(dash_duo, live_app, phone_shop):
    acc, pages = phone_shop
    log_in(dash_duo, live_app, acc.login["email"])
    phone(dash_duo)
    open_page(dash_duo, live_app.url + pages[2])  # the Overview dashboard
    dash_duo.wait_for_element(".dcard")
    cards = dash_duo.driver.execute_script(CARDS)
    width = dash_duo.driver.execute_script("return document.documentElement.clientWidth")
    assert len(cards) >= 2
    assert len({left for left, _, _ in cards}) == 1  # one column
    assert all(w > width * 0.8 for _, w, _ in cards), (cards, width)
    tops = [top for _, _, top in cards]
    assert len(set(tops)) == len(tops)  # one under another, none side by side

    open_page(dash_duo, live_app.url + pages[4])  # a flow
    dash_duo.wait_for_element("#flow-canvas .react-flow__node")
    assert dash_duo.find_element(".fn-phone-note").is_displayed()
    assert "read-only" in dash_duo.find_element(".fn-phone-note").text
    for hidden in ("#flow-save", "#flow-activate", ".fn-palette"):
        assert not dash_duo.find_element(hidden).is_displayed(), hidden
    WebDriverWait(dash_duo.driver, 5).until(
        lambda d: (
            d.execute_script(
                "return getComputedStyle(document.querySelector("
                "'#flow-canvas .react-flow__node')).pointerEvents"
            )
            == "none"
        )
    )
