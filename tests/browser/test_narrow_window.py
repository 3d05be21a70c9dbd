"""An 800 px wide window (a small laptop, a browser beside another): the pages that lay
things side by side still show every card title, number and the flow canvas."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from backend.flows import service as flows
from backend.flows.starters import TEMPLATES
from tests.browser.helpers import log_in, open_page

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def narrow_shop(live_app):
    from backend.accounts.service import create_account
    from backend.demo import seed

    runtime = live_app.app.extensions["tally"]
    with runtime.db.session() as s:
        acc = create_account(s, "Narrow Shop", email="narrow@shop.test", password=PASSWORD)
    seed(runtime, acc.id, events=1500, days=30, progress=False)
    return acc


def _narrow(dash_duo) -> None:
    dash_duo.driver.set_window_size(800, 900)


SHORT = {"Revenue", "Orders", "Form submits", "Email opens"}
CARD_FIT = """
return [...document.querySelectorAll('.dcard')].map(card => {
  const box = card.getBoundingClientRect();
  const title = card.querySelector('.dcard-title');
  const number = card.querySelector('.dcard-number');
  const n = number && number.getBoundingClientRect();
  return {
    title: title.textContent,
    titleWidth: title.getBoundingClientRect().width,
    titleCut: title.scrollWidth > title.clientWidth + 1,
    numberOut: !!n && (n.left < box.left || n.right > box.right),
  };
});
"""


def test_dashboard_cards_show_their_titles_and_numbers(dash_duo, live_app, narrow_shop):
    _narrow(dash_duo)
    log_in(dash_duo, live_app, narrow_shop.login["email"])
    open_page(dash_duo, f"{live_app.url}/dashboards")
    dash_duo.find_element(".dlist-name").click()
    dash_duo.wait_for_element(".dcard-number")
    cards = dash_duo.driver.execute_script(CARD_FIT)
    assert len(cards) >= 4
    for card in cards:
        assert card["titleWidth"] > 40, card  # long titles may end in an ellipsis
        assert not card["numberOut"], card
    # The four 3-column big numbers: their short titles are shown whole.
    assert not any(c["titleCut"] for c in cards if c["title"] in SHORT), cards
    width = dash_duo.driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1]  # no sideways scrolling
    assert dash_duo.get_logs() == []


def test_flow_editor_keeps_its_canvas(dash_duo, live_app, narrow_shop):
    runtime = live_app.app.extensions["tally"]
    with runtime.db.session() as s:
        fid = flows.create(s, narrow_shop.id, TEMPLATES["welcome"].build(None)).id
    _narrow(dash_duo)
    log_in(dash_duo, live_app, narrow_shop.login["email"])
    open_page(dash_duo, f"{live_app.url}/flows/{fid}")
    dash_duo.wait_for_element("#flow-canvas .react-flow__node")
    canvas = dash_duo.find_element("#flow-canvas")
    assert canvas.size["width"] > 300 and canvas.size["height"] > 300
    # The side panel is still there to edit a step (below the canvas).
    WebDriverWait(dash_duo.driver, 5).until(
        lambda _: dash_duo.find_element("#flow-panel").size["width"] > 300
    )
    width = dash_duo.driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1]
    assert dash_duo.get_logs() == []  # React Flow complains of a canvas without width


def test_below_768px_the_page_shows_and_a_button_opens_the_navigation(
    dash_duo, live_app, narrow_shop
):
    """Half of a 1366 px laptop screen: the navbar must not cover the page."""
    dash_duo.driver.set_window_size(680, 900)
    log_in(dash_duo, live_app, narrow_shop.login["email"])
    open_page(dash_duo, f"{live_app.url}/profiles")
    heading = dash_duo.wait_for_element("#main h1")
    assert heading.is_displayed() and _on_top(dash_duo, heading)
    burger = dash_duo.find_element("#shell-burger")
    assert not _on_top(dash_duo, dash_duo.find_element("#nav-settings"))
    assert burger.get_attribute("aria-expanded") == "false"

    burger.click()
    link = dash_duo.find_element("#nav-settings")
    WebDriverWait(dash_duo.driver, 5).until(lambda _: _on_top(dash_duo, link))
    assert burger.get_attribute("aria-expanded") == "true"
    link.click()
    dash_duo.wait_for_element("#settings-keys")
    # Following a link closes the navigation: the page asked for is what shows.
    WebDriverWait(dash_duo.driver, 5).until(
        lambda _: _on_top(dash_duo, dash_duo.find_element("#main h1"))
    )
    assert burger.get_attribute("aria-expanded") == "false"
    assert dash_duo.get_logs() == []


def _on_top(dash_duo, element) -> bool:
    """Whether a user sees (and would click) this element: nothing covers its middle."""
    return dash_duo.driver.execute_script(
        """
        const e = arguments[0], r = e.getBoundingClientRect();
        if (r.width < 1 || r.height < 1) return false;
        const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return !!top && (e === top || e.contains(top));
    """,
        element,
    )


@pytest.mark.parametrize("width", [800, 1250])
def test_form_editor_previews_fit(dash_duo, live_app, narrow_shop, width):
    from backend.forms import service as forms
    from backend.forms.starters import template

    with live_app.app.extensions["tally"].db.session() as s:
        form = forms.create(s, narrow_shop.id, template("discount_flyout"))
        s.flush()
        form_id = form.id
    dash_duo.driver.set_window_size(width, 900)
    log_in(dash_duo, live_app, narrow_shop.login["email"])
    open_page(dash_duo, f"{live_app.url}/forms/{form_id}")
    frame = dash_duo.wait_for_element(".fe-frame-desktop")
    column = dash_duo.find_element("#fe-preview")  # the preview's grid column
    assert frame.size["width"] <= column.size["width"]
    # The whole 1280 px page is in the frame: the flyout sits in its corner.
    inner = dash_duo.driver.execute_script(
        "const f = arguments[0].querySelector('iframe').getBoundingClientRect();"
        "return [f.width, arguments[0].getBoundingClientRect().width];",
        frame,
    )
    assert inner[0] <= inner[1] + 1
    width = dash_duo.driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1]
    assert dash_duo.get_logs() == []


def test_empty_cards_keep_their_message_inside(dash_duo, live_app):
    """An account without events: each card says it has none, below its title, inside it."""
    from backend.accounts.service import create_account

    with live_app.app.extensions["tally"].db.session() as s:
        create_account(s, "New Shop", email="new@shop.test", password=PASSWORD)
    _narrow(dash_duo)
    log_in(dash_duo, live_app, "new@shop.test")
    open_page(dash_duo, f"{live_app.url}/dashboards")
    dash_duo.find_element(".dlist-name").click()
    dash_duo.wait_for_element(".dcard-empty")
    boxes = dash_duo.driver.execute_script("""
        return [...document.querySelectorAll('.dcard')].map(card => {
          const c = card.getBoundingClientRect();
          const head = card.querySelector('.dcard-header').getBoundingClientRect();
          const text = card.querySelector('.dcard-empty p').getBoundingClientRect();
          return {card: card.id, below_title: text.top >= head.bottom - 0.5,
                  inside: text.bottom <= c.bottom + 0.5};
        });""")
    assert len(boxes) >= 4
    assert [b for b in boxes if not (b["below_title"] and b["inside"])] == []
    assert dash_duo.get_logs() == []


HEADER_TEXT = """
const box = e => { const r = document.createRange(); r.selectNodeContents(e);
                   return r.getBoundingClientRect(); };
const heads = [...document.querySelectorAll(arguments[0] + ' thead th')]
  .filter(th => th.textContent.trim() && !th.querySelector('.visually-hidden'));
const cells = [...document.querySelectorAll(arguments[0] + ' tbody tr:first-child td')];
return heads.map((th, i) => ({
  text: th.textContent, left: box(th).left, right: box(th).right,
  cell: cells[i] ? box(cells[i]).left : null}));
"""


def test_table_headers_stand_apart_over_their_columns(dash_duo, live_app, narrow_shop):
    runtime = live_app.app.extensions["tally"]
    with runtime.db.session() as s:
        flows.create(s, narrow_shop.id, TEMPLATES["post_purchase"].build(None))
    _narrow(dash_duo)
    log_in(dash_duo, live_app, narrow_shop.login["email"])
    open_page(dash_duo, f"{live_app.url}/flows")
    heads = dash_duo.driver.execute_script(HEADER_TEXT, "#flows-table")
    assert len(heads) == 6
    for a, b in zip(heads, heads[1:], strict=False):
        assert b["left"] - a["right"] >= 6, (a, b)  # "StatusTrigger" ran together
    for h in heads:
        assert abs(h["left"] - h["cell"]) < 2, h  # a header starts where its column does
    # The forms list's headers sat centred over left-aligned columns.
    from backend.forms import service as forms
    from backend.forms.starters import template

    with runtime.db.session() as s:
        forms.create(s, narrow_shop.id, template("footer_embed"))
    open_page(dash_duo, f"{live_app.url}/forms")
    for h in dash_duo.driver.execute_script(HEADER_TEXT, "#forms-table"):
        assert abs(h["left"] - h["cell"]) < 2, h
    assert dash_duo.get_logs() == []
