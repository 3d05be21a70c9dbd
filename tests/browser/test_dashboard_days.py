"""One day on a dashboard, in a real browser: Today, Yesterday or a clicked day is drawn by
hour with its comparison (not one dot on an axis ticking "23:59:59.9995"), and weekly cards
are not blank. The day (and week) in progress is drawn apart, dashed and marked "so far",
and hours that have not begun are not drawn as zeros."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from selenium.webdriver.common.action_chains import ActionChains

from tests.browser.helpers import PASSWORD, api, log_in, open_page, pick, settle, until

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def shop(live_app):
    """An account of its own with 30 days of demo traffic up to now."""
    from backend.accounts.service import create_account
    from backend.demo import seed
    from backend.ingest import ingestor

    runtime = live_app.app.extensions["tally"]
    with runtime.db.session() as s:
        acc = create_account(s, "Day Shop", email="days@shop.test", password=PASSWORD)
    seed(runtime, acc.id, events=3000, days=30, progress=False)
    # Orders on each of the last ten days and today, whatever the hour the suite runs at:
    # the seed's few orders a day are drawn at random, and a day with none draws no line at
    # all (at 04:00 UTC, Today and Yesterday had none).
    now = datetime.now(UTC)
    midnight = now.replace(hour=0, minute=0, second=30, microsecond=0)
    times = {midnight - timedelta(days=d, hours=-h) for d in range(11) for h in (0, 12)}
    times = sorted(t for t in times if t < now) + [now - timedelta(seconds=1)]
    orders = [
        {
            "type": "track",
            "event": "Placed Order",
            "userId": f"daily-{i}",
            "messageId": f"daily-order-{i}",
            "timestamp": t.isoformat(),
            "properties": {"revenue": 25.0},
        }
        for i, t in enumerate(times)
    ]
    ing = ingestor(runtime)
    ing.accept(acc.id, orders)
    ing.drain()
    return acc


def day_dashboard(live_app, shop, rng) -> int:
    card = {"metric": "Placed Order", "measure": "revenue", "compare": True, "y": 0, "h": 2}
    return api(
        live_app,
        shop,
        "POST",
        "/api/dashboards",
        json={
            "name": "Black Friday",
            "filters": {"range": rng},
            "cards": [
                {**card, "id": "daily", "title": "Revenue", "chart": "line", "x": 0, "w": 6},
                {
                    **card,
                    "id": "weekly",
                    "title": "Revenue by week",
                    "chart": "area",
                    "interval": "week",
                    "x": 6,
                    "w": 6,
                },
            ],
        },
    )["id"]


TRACES = """
const g = document.querySelector(arguments[0] + ' .js-plotly-plot');
if (!g || !g.data) return null;
return g.data.map(t => ({
    name: t.name, n: t.x.length, x: t.x, dash: (t.line || {}).dash || null,
    hover: t.hovertemplate || "", so_far: (t.customdata || []).map(c => c[2] || ""),
}));
"""
TICKS = (
    "return [...document.querySelectorAll(arguments[0] + ' .xtick text')].map(e => e.textContent);"
)


def traces(dash_duo, card_id: str) -> dict[str, dict]:
    got = dash_duo.driver.execute_script(TRACES, f"#dcard-{card_id}")
    return {t["name"]: t for t in got or []}


def hourly(dash_duo, card_id: str, hours: int) -> dict[str, dict]:
    """Wait until the card draws `hours` hourly points, with a previous period as long."""

    def drawn(_):
        got = traces(dash_duo, card_id)
        main = next((t for name, t in got.items() if name != "Previous period"), None)
        ok = main and main["n"] == hours and got.get("Previous period", {}).get("n") == hours
        return got if ok else False

    got = until(dash_duo, drawn)
    ticks = dash_duo.driver.execute_script(TICKS, f"#dcard-{card_id}")
    assert ticks and not any("." in t or ":59:59" in t for t in ticks), ticks
    return got


def test_yesterday_and_a_clicked_day_are_drawn_by_hour_with_the_comparison(
    dash_duo, live_app, shop
):
    did = day_dashboard(live_app, shop, "yesterday")
    log_in(dash_duo, live_app, shop.login["email"])
    open_page(dash_duo, f"{live_app.url}/dashboards/{did}")
    got = hourly(dash_duo, "daily", 24)
    assert got["Total"]["x"][0][11:16] == "00:00" and got["Total"]["x"][-1][11:16] == "23:00"
    hourly(dash_duo, "weekly", 24)  # the weekly area is not blank on one day

    # A day clicked on a by-day line of the last 7 days is drawn by hour too.
    pick(dash_duo, "dash-range", "Last 7 days")
    # six whole days, and today "so far"
    until(dash_duo, lambda _: traces(dash_duo, "daily").get("Total", {}).get("n") == 6)
    settle(dash_duo)
    point = dash_duo.find_elements("#dcard-daily .scatterlayer .trace .points path")[2]
    ActionChains(dash_duo.driver).move_to_element(point).click().perform()
    dash_duo.wait_for_contains_text("#dashboard-status", "Filtered to")
    hourly(dash_duo, "daily", 24)
    hourly(dash_duo, "weekly", 24)
    assert dash_duo.get_logs() == []


def test_the_day_and_week_in_progress_are_drawn_apart(dash_duo, live_app, shop):
    did = day_dashboard(live_app, shop, "last_30_days")
    log_in(dash_duo, live_app, shop.login["email"])
    open_page(dash_duo, f"{live_app.url}/dashboards/{did}")
    today = datetime.now(UTC).date().isoformat()
    monday = datetime.now(UTC).date().toordinal() - datetime.now(UTC).weekday()
    monday = datetime.fromordinal(monday).date().isoformat()

    def apart(card_id: str, name: str, stamp: str) -> None:
        def drawn(_):
            got = traces(dash_duo, card_id)
            solid, dashed = got.get(name), got.get(f"{name}, so far")
            return (solid, dashed) if solid and dashed else False

        solid, dashed = until(dash_duo, drawn)
        assert not any(x.startswith(stamp) for x in solid["x"]), solid["x"][-3:]
        assert dashed["dash"] == "dash" and dashed["x"][-1].startswith(stamp)
        assert dashed["so_far"][-1] == " (so far)" and "customdata[2]" in dashed["hover"]

    apart("daily", "Total", today)  # today is not the last point of the solid line
    apart("weekly", "Total", monday)  # nor this week the last of the filled area

    # Today by hour: no hour that has not begun, the current one "so far".
    pick(dash_duo, "dash-range", "Today")
    now = datetime.now(UTC)
    got = until(
        dash_duo,
        lambda _: (
            (t := traces(dash_duo, "daily")).get("Total, so far")
            and len(t.get("Previous period", {}).get("x", range(99))) <= 24  # by hour now
            and t
        ),
    )
    hours = {x[11:13] for t in got.values() if t["name"] != "Previous period" for x in t["x"] if x}
    assert max(hours) in (f"{now.hour:02d}", f"{now.hour + 1:02d}"), sorted(hours)
    assert got["Total, so far"]["x"][-1][11:13] == max(hours)
    assert dash_duo.get_logs() == []
