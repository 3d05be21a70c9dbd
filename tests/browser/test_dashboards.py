"""Dashboards in a real browser: create one, add a card, change its chart type, move and
resize it, reload (and another browser) keeps the layout, drill down on a bar."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.helpers import PASSWORD, api, log_in, log_out, open_page, pick, settle, until

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def shop(live_app):
    """An account of its own (so other browser tests keep theirs), with demo traffic."""
    from backend.accounts.service import create_account
    from backend.demo import seed

    runtime = live_app.app.extensions["tally"]
    with runtime.db.session() as s:
        acc = create_account(s, "Dash Shop", email="dash@shop.test", password=PASSWORD)
    seed(runtime, acc.id, events=4000, days=30, progress=False)
    return acc


def ready(dash_duo, selector: str):
    """The element once it is visible and usable (drawers slide in)."""
    return WebDriverWait(dash_duo.driver, 10).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, selector))
    )


def grid_item(dash_duo, card_id: str):
    return dash_duo.find_element(f"#dcard-{card_id}").find_element(
        By.XPATH, "./ancestor::div[contains(@class,'react-grid-item')][1]"
    )


def still(dash_duo, element) -> None:
    """Wait until a grid item has stopped moving (react-grid-layout animates moves with a CSS
    transition; a drag that starts mid-animation misses its handle)."""
    last = {}

    def unmoved(_):
        rect, before = element.rect, dict(last)
        last.update(rect)
        return rect == before

    WebDriverWait(dash_duo.driver, 10, poll_frequency=0.3).until(unmoved)


def wait_saved(live_app, shop, did: int, card_id: str, **want) -> dict:
    seen = {}

    def ok(_):
        cards = api(live_app, shop, "GET", f"/api/dashboards/{did}")["cards"]
        seen["card"] = c = next(c for c in cards if c["id"] == card_id)
        return c if all(c[k] == v for k, v in want.items()) else False

    try:
        return WebDriverWait(None, 10, poll_frequency=0.3).until(ok)
    except TimeoutException:
        raise AssertionError(f"wanted {want}, the server has {seen.get('card')}") from None


def test_create_add_card_change_chart_move_resize_reload(dash_duo, live_app, shop):
    log_in(dash_duo, live_app, shop.login["email"])
    open_page(dash_duo, f"{live_app.url}/dashboards")
    dash_duo.wait_for_contains_text("#dlist-rows", "Overview")
    dash_duo.find_element("#dlist-new-name").send_keys("Launch week")
    WebDriverWait(dash_duo.driver, 5).until(
        lambda _: dash_duo.find_element("#dlist-new-name").get_attribute("value") == "Launch week"
    )
    dash_duo.find_element("#dlist-create").click()
    dash_duo.wait_for_contains_text("#dlist-status", "Created Launch week")
    did = next(
        d["id"]
        for d in api(live_app, shop, "GET", "/api/dashboards")["dashboards"]
        if d["name"] == "Launch week"
    )
    dash_duo.find_element(f"#dlist-row-{did} a").click()
    dash_duo.wait_for_text_to_equal("#dashboard-name", "Launch week")

    # Add a card: the live preview shows the chart before saving.
    dash_duo.wait_for_contains_text("#dashboard-empty", "no cards yet")
    dash_duo.find_element("#dash-add-card").click()
    title = ready(dash_duo, "#cedit-title")
    title.send_keys("Orders per day")
    dash_duo.wait_for_element("#cedit-preview .js-plotly-plot")
    dash_duo.find_element("#cedit-save").click()
    dash_duo.wait_for_no_elements("#cedit-save")
    [c] = api(live_app, shop, "GET", f"/api/dashboards/{did}")["cards"]
    assert (c["title"], c["metric"], c["chart"]) == ("Orders per day", "Placed Order", "line")
    card_sel = f"#dcard-{c['id']}"
    dash_duo.wait_for_element(f"{card_sel} .js-plotly-plot .scatterlayer")

    # Change its chart type to a big number with the previous period.
    dash_duo.find_element(f"{card_sel} .dcard-actions button").click()
    ready(dash_duo, "#cedit-chart")
    pick(dash_duo, "cedit-chart", "Big number with change")  # turns compare on by itself
    dash_duo.wait_for_contains_text("#cedit-preview", "vs previous period")
    dash_duo.wait_for_element("#cedit-preview .dcard-number")
    dash_duo.find_element("#cedit-save").click()
    dash_duo.wait_for_element(f"{card_sel} .dcard-number")
    dash_duo.wait_for_contains_text(f"{card_sel} .dcard-big", "vs previous period")
    assert wait_saved(live_app, shop, did, c["id"], chart="number", compare=True)

    # Move it right by dragging its header, then make it wider by its corner handle.
    before = wait_saved(live_app, shop, did, c["id"])
    settle(dash_duo)
    item = grid_item(dash_duo, c["id"])
    still(dash_duo, item)
    handle = dash_duo.find_element(f"{card_sel} .dcard-handle")
    grid = dash_duo.find_element(".dashboard-grid-wrap .react-grid-layout")
    col = (grid.size["width"] + 12) / 12  # one column and its 12 px margin
    ActionChains(dash_duo.driver).click_and_hold(handle).pause(0.2).move_by_offset(20, 0).pause(
        0.2
    ).move_by_offset(int(col * 3), 5).pause(0.2).release().perform()
    moved = wait_saved(live_app, shop, did, c["id"], x=before["x"] + 3)
    settle(dash_duo)
    item = grid_item(dash_duo, c["id"])
    still(dash_duo, item)
    resize = item.find_element(By.CSS_SELECTOR, ".react-resizable-handle")
    ActionChains(dash_duo.driver).click_and_hold(resize).pause(0.2).move_by_offset(10, 10).pause(
        0.2
    ).move_by_offset(int(col * 2), 160).pause(0.2).release().perform()
    resized = wait_saved(live_app, shop, did, c["id"], w=moved["w"] + 2)
    assert resized["h"] > before["h"] and resized["x"] == moved["x"]
    dash_duo.wait_for_contains_text("#dashboard-status", "Layout saved")

    # Reload: the grid draws the saved layout (positions are on the server, not the browser).
    dash_duo.driver.refresh()
    dash_duo.wait_for_element(f"{card_sel} .dcard-number")
    item = grid_item(dash_duo, c["id"])
    grid = dash_duo.find_element(".dashboard-grid-wrap .react-grid-layout")
    col = grid.size["width"] / 12
    assert abs(item.size["width"] - resized["w"] * col) < col  # w columns wide
    assert item.location["x"] - grid.location["x"] == pytest.approx(resized["x"] * col, abs=col / 2)
    assert dash_duo.get_logs() == []


def test_drill_down_on_a_bar_and_back(dash_duo, live_app, shop):
    did = api(
        live_app,
        shop,
        "POST",
        "/api/dashboards",
        json={
            "name": "By country",
            "filters": {"range": "last_30_days"},
            "cards": [
                {
                    "id": "bycountry",
                    "title": "Orders by country",
                    "metric": "Placed Order",
                    "chart": "bar",
                    "by": "country",
                    "top": 5,
                    "x": 0,
                    "y": 0,
                    "w": 6,
                    "h": 2,
                },
                {
                    "id": "orders",
                    "title": "Orders",
                    "metric": "Placed Order",
                    "chart": "number",
                    "x": 6,
                    "y": 0,
                    "w": 3,
                    "h": 1,
                },
                {
                    "id": "campaigns",
                    "title": "Campaigns",
                    "metric": "Placed Order",
                    "chart": "table",
                    "by": "utm_campaign",
                    "x": 9,
                    "y": 0,
                    "w": 3,
                    "h": 2,
                },
            ],
        },
    )["id"]
    log_in(dash_duo, live_app, shop.login["email"])
    open_page(dash_duo, f"{live_app.url}/dashboards/{did}")
    total_text = dash_duo.wait_for_element("#dcard-orders .dcard-number").text
    bar = dash_duo.wait_for_element("#dcard-bycountry .js-plotly-plot .bars .point path")
    bars = dash_duo.find_elements("#dcard-bycountry .js-plotly-plot .bars .point path")
    top = bars[-1]  # the largest value is drawn on top
    label = dash_duo.find_elements("#dcard-bycountry .ytick text")[-1].text
    assert bar is not None and label
    ActionChains(dash_duo.driver).move_to_element(top).click().perform()

    dash_duo.wait_for_contains_text("#dashboard-status", f"Filtered to {label}")
    dash_duo.wait_for_contains_text("#dash-crumb-current", label)
    until(
        dash_duo,
        lambda d: d.find_element(By.CSS_SELECTOR, "#dcard-orders .dcard-number").text != total_text,
    )
    # The campaign table cannot be split by country: it says so instead of lying.
    dash_duo.wait_for_contains_text("#dcard-campaigns .dcard-note", "not kept per country")
    bars = dash_duo.find_elements("#dcard-bycountry .js-plotly-plot .bars .point path")
    assert len(bars) == 1

    # The breadcrumb leads back to all countries.
    dash_duo.find_element("#dashboard-crumbs button").click()
    dash_duo.wait_for_text_to_equal("#dcard-orders .dcard-number", total_text)
    dash_duo.wait_for_no_elements("#dash-crumb-current")
    dash_duo.find_element("body").send_keys(Keys.ESCAPE)
    assert dash_duo.get_logs() == []


def test_home_shows_first_steps_then_dashboards(dash_duo, live_app, shop):
    from backend.accounts.service import create_account

    runtime = live_app.app.extensions["tally"]
    with runtime.db.session() as s:
        fresh = create_account(s, "Empty Shop", email="empty@shop.test", password=PASSWORD)
    log_in(dash_duo, live_app, fresh.login["email"])
    open_page(dash_duo, live_app.url + "/")
    dash_duo.wait_for_contains_text("#home-curl", "/v1/track")
    open_page(dash_duo, live_app.url + "/dashboards")
    dash_duo.find_element("#dlist-rows a").click()  # the Overview, with the same help on top
    dash_duo.wait_for_contains_text("#dash-curl", "/v1/track")
    dash_duo.wait_for_contains_text("#dcard-orders .dcard-empty", "No Placed Order events")
    log_out(dash_duo)
    log_in(dash_duo, live_app, shop.login["email"])  # an account with events: its dashboards
    open_page(dash_duo, live_app.url + "/")
    dash_duo.wait_for_contains_text("#dlist-rows", "Overview")
    assert dash_duo.find_elements("#home-curl") == []
    assert dash_duo.get_logs() == []


def test_toolbar_filter_is_saved_and_auto_refresh_shows_new_events(dash_duo, live_app, shop):
    import uuid
    from datetime import UTC, datetime

    from backend.ingest import ingestor

    did = api(
        live_app,
        shop,
        "POST",
        "/api/dashboards",
        json={
            "name": "Live",
            "filters": {"range": "today"},
            "cards": [
                {
                    "id": "live",
                    "title": "Orders today",
                    "metric": "Placed Order",
                    "chart": "number",
                    "x": 0,
                    "y": 0,
                    "w": 4,
                    "h": 1,
                }
            ],
        },
    )["id"]
    log_in(dash_duo, live_app, shop.login["email"])
    open_page(dash_duo, f"{live_app.url}/dashboards/{did}")
    dash_duo.wait_for_element("#dcard-live .dcard-body")

    pick(dash_duo, "dash-country", "Germany (DE)")
    dash_duo.find_element("#dash-save-default").click()  # tried filters are saved on request
    WebDriverWait(None, 10, poll_frequency=0.3).until(
        lambda _: api(live_app, shop, "GET", f"/api/dashboards/{did}")["filters"]["country"] == "DE"
    )
    dash_duo.wait_for_contains_text("#dcard-live .dcard-sub", "DE")
    pick(dash_duo, "dash-country", "All countries")
    dash_duo.wait_for_element("#dcard-live .dcard-body")

    def shown() -> int:
        els = dash_duo.find_elements("#dcard-live .dcard-number")
        return int(els[0].get_attribute("title").replace(",", "")) if els else 0

    until(dash_duo, lambda _: "DE" not in dash_duo.find_element("#dcard-live .dcard-sub").text)
    before = shown()
    dash_duo.find_element("#dash-refresh").find_element(By.XPATH, ".//*[text()='10 s']").click()
    ing = ingestor(live_app.app.extensions["tally"])
    now = datetime.now(UTC).isoformat()
    ing.accept(
        shop.id,
        [
            {
                "type": "track",
                "event": "Placed Order",
                "userId": "live-buyer",
                "messageId": str(uuid.uuid4()),
                "timestamp": now,
                "properties": {"revenue": 20},
            }
            for _ in range(3)
        ],
    )
    ing.drain()
    until(dash_duo, lambda _: shown() == before + 3, timeout=25)
    assert dash_duo.get_logs() == []


FOCUSED_TEXT = "return (document.activeElement.textContent || '').trim();"


def choose(dash_duo, card_id: str, label: str) -> None:
    """Keyboard only: on the card's focused "Move or resize" button, Enter opens its menu,
    arrow keys reach the item, Enter picks it."""
    button = dash_duo.find_element(f"#dcard-{card_id} .dcard-arrange")
    dash_duo.driver.execute_script("arguments[0].focus();", button)
    ActionChains(dash_duo.driver).send_keys(Keys.ENTER).perform()
    dash_duo.wait_for_element("[role=menu] [data-op]")
    for _ in range(12):
        if dash_duo.driver.execute_script(FOCUSED_TEXT) == label:
            break
        ActionChains(dash_duo.driver).send_keys(Keys.ARROW_DOWN).perform()
    assert dash_duo.driver.execute_script(FOCUSED_TEXT) == label
    ActionChains(dash_duo.driver).send_keys(Keys.ENTER).perform()
    dash_duo.wait_for_no_elements("[role=menu] [data-op]")


def test_move_and_resize_a_card_by_keyboard(dash_duo, live_app, shop):
    did = api(
        live_app,
        shop,
        "POST",
        "/api/dashboards",
        json={
            "name": "Keyboard",
            "cards": [
                {
                    "id": "orders",
                    "title": "Orders",
                    "metric": "Placed Order",
                    "chart": "number",
                    "x": 0,
                    "y": 0,
                    "w": 3,
                    "h": 1,
                },
                {
                    "id": "revenue",
                    "title": "Revenue",
                    "metric": "Placed Order",
                    "chart": "number",
                    "measure": "revenue",
                    "x": 3,
                    "y": 0,
                    "w": 3,
                    "h": 1,
                },
            ],
        },
    )["id"]
    log_in(dash_duo, live_app, shop.login["email"])
    open_page(dash_duo, f"{live_app.url}/dashboards/{did}")
    dash_duo.wait_for_element("#dcard-orders .dcard-number")
    status = dash_duo.find_element("#dashboard-status")
    assert (status.get_attribute("aria-live"), status.get_attribute("role")) == ("polite", "status")

    # One column right: Revenue was in the way, so it makes room below.
    choose(dash_duo, "orders", "Move right")
    dash_duo.wait_for_text_to_equal(
        "#dashboard-status", "Orders moved to column 2, row 1. Also moved: Revenue."
    )
    wait_saved(live_app, shop, did, "orders", x=1, y=0, w=3, h=1)
    wait_saved(live_app, shop, did, "revenue", x=3, y=1)
    # Focus is back on the menu button (the cards were not redrawn), ready for the next step.
    assert (
        dash_duo.driver.execute_script("return document.activeElement.getAttribute('aria-label');")
        == "Move or resize Orders"
    )
    settle(dash_duo)

    choose(dash_duo, "orders", "Wider")
    dash_duo.wait_for_text_to_equal(
        "#dashboard-status", "Orders resized to 4 columns by 1 row, at column 2, row 1."
    )
    settle(dash_duo)
    choose(dash_duo, "orders", "Taller")
    dash_duo.wait_for_contains_text("#dashboard-status", "4 columns by 2 rows")
    wait_saved(live_app, shop, did, "orders", x=1, y=0, w=4, h=2)
    wait_saved(live_app, shop, did, "revenue", x=3, y=2, w=3, h=1)

    # Reload: the grid draws what the keyboard saved.
    dash_duo.driver.refresh()
    dash_duo.wait_for_element("#dcard-orders .dcard-number")
    settle(dash_duo)
    grid = dash_duo.find_element(".dashboard-grid-wrap .react-grid-layout")
    col = grid.size["width"] / 12
    orders, revenue = grid_item(dash_duo, "orders"), grid_item(dash_duo, "revenue")
    still(dash_duo, orders)
    assert orders.location["x"] - grid.location["x"] == pytest.approx(col, abs=col / 2)
    assert abs(orders.size["width"] - 4 * col) < col
    assert revenue.location["y"] >= orders.location["y"] + orders.size["height"]
    assert dash_duo.get_logs() == []


def test_card_editor_names_the_field_to_fix(dash_duo, live_app, shop):
    did = api(live_app, shop, "POST", "/api/dashboards", json={"name": "Typos", "cards": []})["id"]
    log_in(dash_duo, live_app, shop.login["email"])
    open_page(dash_duo, f"{live_app.url}/dashboards/{did}")
    dash_duo.find_element("#dash-add-card").click()
    title = ready(dash_duo, "#cedit-title")
    dash_duo.driver.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent("
        "new Event('input', {bubbles: true}))",
        title,
        "x" * 200,
    )
    title.send_keys("y")  # one past the limit, typed
    dash_duo.find_element("#cedit-save").click()
    dash_duo.wait_for_text_to_equal(
        "#cedit-error", "Title: must be text of at most 200 characters."
    )
    assert api(live_app, shop, "GET", f"/api/dashboards/{did}")["cards"] == []
    assert dash_duo.get_logs() == []


def test_a_dashboard_without_a_name_is_refused_saying_why(dash_duo, live_app, shop):
    before = len(api(live_app, shop, "GET", "/api/dashboards")["dashboards"])
    log_in(dash_duo, live_app, shop.login["email"])
    open_page(dash_duo, f"{live_app.url}/dashboards")
    dash_duo.find_element("#dlist-create").click()
    dash_duo.wait_for_text_to_equal("#dlist-status", "Not created. Name: must not be empty.")
    assert len(api(live_app, shop, "GET", "/api/dashboards")["dashboards"]) == before
    assert dash_duo.get_logs() == []


CUT_BAR_NUMBERS = """
const svg = document.querySelector(arguments[0] + ' .main-svg').getBoundingClientRect();
return [...document.querySelectorAll(arguments[0] + ' .bartext')]
    .filter(t => t.getBoundingClientRect().right > svg.right + 0.5).map(t => t.textContent);
"""


def test_ranked_bars_show_every_number_whole(dash_duo, live_app, shop):
    """The largest bar reaches the edge; its number is drawn past it and was cut off."""
    did = api(
        live_app,
        shop,
        "POST",
        "/api/dashboards",
        json={
            "name": "Campaign bars",
            "filters": {"range": "last_30_days"},
            "cards": [
                {
                    "id": "camp",
                    "title": "Top campaigns",
                    "metric": "Placed Order",
                    "chart": "bar",
                    "by": "utm_campaign",
                    "top": 8,
                    "x": 0,
                    "y": 0,
                    "w": 6,
                    "h": 2,
                },
                {
                    "id": "rev",
                    "title": "Revenue by country",
                    "metric": "Placed Order",
                    "measure": "revenue",
                    "chart": "bar",
                    "by": "country",
                    "top": 5,
                    "x": 6,
                    "y": 0,
                    "w": 4,
                    "h": 2,
                },
            ],
        },
    )["id"]
    log_in(dash_duo, live_app, shop.login["email"])
    open_page(dash_duo, f"{live_app.url}/dashboards/{did}")
    for card in ("#dcard-camp", "#dcard-rev"):
        dash_duo.wait_for_element(f"{card} .bartext")
        assert dash_duo.driver.execute_script(CUT_BAR_NUMBERS, card) == [], card
    assert dash_duo.get_logs() == []
