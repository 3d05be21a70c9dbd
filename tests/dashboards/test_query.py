"""Card numbers against the events themselves: for demo traffic ingested through the real
pipeline, every card's totals equal a GROUP BY over the raw events (both stores)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from backend import analytics
from backend.dashboards import bucket_range, card_data, dashboard_data, schema, service
from backend.store.models import Event

END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TODAY = END.date()
FILTERS = {"range": "last_30_days", "country": None}


@pytest.fixture
def shop(runtime, account):
    from backend.demo import seed

    seed(runtime, account.id, events=3000, days=70, progress=False, seed=3, end=END)
    return account


def events(runtime, account_id: str, metric: str, start: date, end: date) -> list[Event]:
    lo = datetime.combine(start, time(0))
    hi = datetime.combine(end + timedelta(days=1), time(0))
    with runtime.db.session() as s:
        return list(
            s.scalars(
                select(Event).where(
                    Event.account_id == account_id,
                    Event.metric == metric,
                    Event.ts >= lo,
                    Event.ts < hi,
                )
            )
        )


def card(**kw) -> dict:
    return schema.card({"id": "t", **kw})


def test_count_by_day_and_previous_period(runtime, shop):
    data = card_data(
        analytics.counter_store(runtime),
        shop.id,
        card(metric="Placed Order", compare=True),
        FILTERS,
        TODAY,
    )
    assert (data.start, data.end) == (TODAY - timedelta(days=29), TODAY)
    rows = events(runtime, shop.id, "Placed Order", data.start, data.end)
    per_day = Counter(e.ts.date() for e in rows)
    got = {t.date(): c for t, c in zip(data.frame["t"], data.frame["count"], strict=True)}
    assert len(got) == 30 and sum(got.values()) > 0
    assert got == {d: per_day.get(d, 0) for d in got}
    before = events(
        runtime,
        shop.id,
        "Placed Order",
        data.start - timedelta(days=30),
        data.start - timedelta(days=1),
    )
    assert data.total == len(rows) and data.previous_total == len(before)
    assert data.change == pytest.approx((len(rows) - len(before)) / len(before))


def test_revenue_top_countries(runtime, shop):
    data = card_data(
        analytics.counter_store(runtime),
        shop.id,
        card(metric="Placed Order", measure="revenue", chart="bar", by="country", top=3),
        FILTERS,
        TODAY,
    )
    by_country: dict[str | None, float] = defaultdict(float)
    for e in events(runtime, shop.id, "Placed Order", data.start, data.end):
        by_country[e.country] += e.revenue or 0
    ranked = sorted(((v, k) for k, v in by_country.items() if k), reverse=True)[:3]
    sums = data.frame.groupby("key", sort=False, dropna=False)["revenue"].sum()
    top = [k for k in sums.index if k not in (analytics.OTHER_KEY, None)]
    assert top == [k for _, k in ranked]
    for v, k in ranked:
        assert sums[k] == pytest.approx(v)
    assert data.total == pytest.approx(sum(by_country.values()))


def test_a_country_filter_counts_that_country_only(runtime, shop):
    counters = analytics.counter_store(runtime)
    data = card_data(
        counters,
        shop.id,
        card(metric="Viewed Product", chart="number"),
        {**FILTERS, "country": "US"},
        TODAY,
    )
    rows = events(runtime, shop.id, "Viewed Product", data.start, data.end)
    assert data.country == "US" and data.note is None
    assert data.total == sum(1 for e in rows if e.country == "US") > 0
    assert data.total < len(rows)
    own = card(metric="Viewed Product", chart="number", country="DE", range="last_7_days")
    data = card_data(counters, shop.id, own, {**FILTERS, "country": "US"}, TODAY)
    rows = events(runtime, shop.id, "Viewed Product", TODAY - timedelta(days=6), TODAY)
    assert data.country == "DE"  # a card's own filter wins over the dashboard's
    assert data.total == sum(1 for e in rows if e.country == "DE")


def test_a_country_filter_does_not_pretend_to_split_other_dimensions(runtime, shop):
    counters = analytics.counter_store(runtime)
    c = card(metric="Placed Order", chart="table", by="utm_campaign")
    plain = card_data(counters, shop.id, c, FILTERS, TODAY)
    filtered = card_data(counters, shop.id, c, {**FILTERS, "country": "US"}, TODAY)
    assert filtered.country is None and "not kept per country" in filtered.note
    assert filtered.total == plain.total
    assert filtered.frame.equals(plain.frame)


def test_the_overview_answers_for_every_card(runtime, shop):
    with runtime.db.session() as s:
        [overview] = service.list_dashboards(s, shop.id)
        definition = overview.definition
    data = dashboard_data(
        analytics.counter_store(runtime), shop.id, definition, definition["filters"], TODAY
    )
    assert set(data) == {c["id"] for c in definition["cards"]}
    orders = events(runtime, shop.id, "Placed Order", data["orders"].start, TODAY)
    assert data["orders"].total == len(orders)
    assert data["revenue"].total == pytest.approx(sum(e.revenue or 0 for e in orders))
    assert data["orders-map"].total == len(orders)


def test_bucket_ranges_for_drill_down():
    assert bucket_range(date(2026, 11, 16), "week") == {"start": "2026-11-16", "end": "2026-11-22"}
    assert bucket_range(date(2026, 2, 1), "month") == {"start": "2026-02-01", "end": "2026-02-28"}
    assert bucket_range(date(2026, 12, 1), "month")["end"] == "2026-12-31"
    assert bucket_range(date(2026, 11, 3), "day") == {"start": "2026-11-03", "end": "2026-11-03"}


def test_a_dashboard_in_another_zone_has_the_totals_of_the_api_series_in_that_zone(
    runtime, client, shop
):
    """Days cut at midnight in Asia/Tokyo (UTC+9): every card of the Overview and its previous
    period equal GET /api/metrics/<name>/series?tz=Asia/Tokyo over the same local days, and the
    raw events between those local midnights; the UTC days would give other numbers."""
    from zoneinfo import ZoneInfo

    from backend.accounts.timezones import local_clock, set_timezone

    tz = "Asia/Tokyo"
    with runtime.db.session() as s:
        set_timezone(s, shop.id, tz)
        [overview] = service.list_dashboards(s, shop.id)
        assert local_clock(s, shop.id, END) == (tz, date(2026, 11, 20))  # 21:00 in Tokyo
    definition = overview.definition
    local = dashboard_data(
        analytics.counter_store(runtime), shop.id, definition, FILTERS, TODAY, tz
    )
    utc = dashboard_data(
        analytics.counter_store(runtime), shop.id, definition, FILTERS, TODAY, "UTC"
    )
    h = {"Authorization": f"Bearer {shop.private_key}"}

    def api_total(c, start, end) -> float:
        by = {"map": "&by=country&top=100"}.get(c.card["chart"]) or (
            f"&by={c.card['by']}&top={c.card['top']}" if c.card["by"] else ""
        )
        r = client.get(
            f"/api/metrics/{c.card['metric']}/series?start={start}&end={end}"
            f"&interval={c.card['interval']}&tz={tz}{by}",
            headers=h,
        )
        assert r.status_code == 200, r.json
        return sum(p[c.measure] for s in r.json["series"] for p in s["points"])

    for c in local.values():
        assert c.total == pytest.approx(api_total(c, c.start, c.end)), c.card["id"]
        if c.previous is not None:
            ps, pe = c.start - (c.end - c.start) - timedelta(days=1), c.start - timedelta(days=1)
            assert c.previous_total == pytest.approx(api_total(c, ps, pe)), c.card["id"]
        assert all(
            t.tzinfo is not None and t.utcoffset() == timedelta(hours=9) for t in c.frame["t"]
        ), c.card["id"]

    orders = local["orders"]
    lo = datetime.combine(orders.start, time(0), ZoneInfo(tz)).astimezone(UTC)
    hi = datetime.combine(orders.end + timedelta(days=1), time(0), ZoneInfo(tz)).astimezone(UTC)
    with runtime.db.session() as s:
        n = len(
            s.scalars(
                select(Event.id).where(
                    Event.account_id == shop.id,
                    Event.metric == "Placed Order",
                    Event.ts >= lo.replace(tzinfo=None),
                    Event.ts < hi.replace(tzinfo=None),
                )
            ).all()
        )
    assert orders.total == n > 0
    by_day = {t.date(): v for t, v in zip(orders.frame["t"], orders.frame["count"], strict=True)}
    utc_by_day = {
        t.date(): v
        for t, v in zip(utc["orders"].frame["t"], utc["orders"].frame["count"], strict=True)
    }
    assert by_day.keys() == utc_by_day.keys() and by_day != utc_by_day


@pytest.mark.parametrize("interval, tz", [("day", "Asia/Kolkata"), ("hour", "UTC")])
def test_the_country_view_reads_like_the_country_series(runtime, shop, interval, tz):
    # edge hours of every Kolkata day (read_ranges) and the top-values read (values=[...,
    # the sum]) go through the view too
    from backend.dashboards.country_view import CountryView

    counters = analytics.counter_store(runtime)
    start, end = TODAY - timedelta(days=20), TODAY
    every = analytics.series(
        counters, shop.id, "Viewed Product", start, end, interval, tz, by="country", top=100
    )
    us = every[every["key"] == "US"].reset_index(drop=True)
    assert us["count"].sum() > 0
    view = CountryView(counters, "US")
    for by in ("country", None):
        got = analytics.series(view, shop.id, "Viewed Product", start, end, interval, tz, by=by)
        assert got["count"].tolist() == us["count"].tolist()
        assert got["revenue"].tolist() == us["revenue"].tolist()
        assert set(got["key"]) == {"US" if by else None}
