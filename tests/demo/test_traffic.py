"""The demo traffic generator: deterministic, valid Segment messages, realistic shape."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.demo import black_friday, generate
from backend.demo.catalog import COUNTRIES
from backend.ingest.geo import country_of
from backend.ingest.validate import normalise

END = datetime(2026, 12, 20, 18, 0, tzinfo=UTC)  # 60 days back covers Black Friday 2026


@pytest.fixture(scope="module")
def traffic() -> list[dict]:
    return [m for batch in generate(60_000, 60, END, seed=7) for m in batch]


def test_black_friday_is_the_day_after_thanksgiving():
    assert black_friday(date(2026, 1, 5)) == date(2026, 11, 27)
    assert black_friday(date(2024, 6, 1)) == date(2024, 11, 29)
    assert black_friday(date(2029, 11, 30)) == date(2029, 11, 23)


def test_same_seed_same_messages_other_seed_others():
    a = [m for b in generate(3000, 10, END, seed=1) for m in b]
    b = [m for b in generate(3000, 10, END, seed=1) for m in b]
    c = [m for b in generate(3000, 10, END, seed=2) for m in b]
    assert a == b
    assert a != c


def test_exact_count_in_batches_with_unique_ids(traffic):
    assert len(traffic) == 60_000
    assert len({m["messageId"] for m in traffic}) == 60_000
    sizes = [len(b) for b in generate(1234, 5, END, batch_size=500)]
    assert sizes == [500, 500, 234]
    assert list(generate(0, 5, END)) == []


def test_exact_count_even_just_after_midnight_utc():
    # At 00:20 UTC "today" has not begun in the Americas: the quota is met from earlier days.
    end = datetime(2026, 3, 3, 0, 20, tzinfo=UTC)
    msgs = [m for b in generate(20_000, 7, end, seed=5) for m in b]
    assert len(msgs) == 20_000
    assert max(m["timestamp"] for m in msgs) < "2026-03-03T00:20"


def test_every_message_is_valid_segment_and_in_the_range(traffic):
    now = END
    first = (END - timedelta(days=60)).replace(tzinfo=None)
    for i, m in enumerate(traffic):
        spooled = normalise(m, f"m[{i}]", now, None, None)
        ts = datetime.fromtimestamp(spooled["ts"] / 1000, UTC)
        assert ts <= END
        assert ts.replace(tzinfo=None) >= first - timedelta(hours=14)


def test_funnel_metrics_and_revenue_only_on_orders(traffic):
    names = Counter(m.get("event") or m["type"] for m in traffic)
    assert set(names) == {
        "page",
        "identify",
        "Viewed Product",
        "Added to Cart",
        "Started Checkout",
        "Placed Order",
        "Opened Email",
        "Clicked Email",
        "Submitted Form",
    }
    assert (
        names["page"]
        > names["Viewed Product"]
        > names["Added to Cart"]
        > names["Started Checkout"]
        > names["Placed Order"]
        > 0
    )
    assert names["Opened Email"] > names["Clicked Email"] > 0
    for m in traffic:
        props = m.get("properties", {})
        if m.get("event") == "Placed Order":
            assert m["userId"]  # checkout asks for an e-mail: orders are from known people
            items = sum(p["price"] * p["quantity"] for p in props["products"])
            assert props["subtotal"] == pytest.approx(items)
            assert props["revenue"] == pytest.approx(
                props["subtotal"] - props["discount"] + props["shipping"]
            )
            assert 10 < props["revenue"] < 3000
        else:
            assert "revenue" not in props and "value" not in props
        if m.get("event") == "Submitted Form":
            assert props["$form"] in {"newsletter-popup", "spin-to-win", "back-in-stock"}
        if m["type"] == "identify":
            assert "@" in m["traits"]["email"] and m["traits"]["first_name"]
    orders = [m["properties"]["revenue"] for m in traffic if m.get("event") == "Placed Order"]
    assert 50 < statistics.mean(orders) < 200  # a realistic basket


def test_visitors_come_from_many_countries_by_resolvable_ips(traffic):
    ips = {m["context"]["ip"] for m in traffic}
    countries = Counter(country_of(ip) for ip in ips)
    assert None not in countries
    assert set(countries) <= {c for c, _, _ in COUNTRIES}
    assert len(countries) >= 25
    assert countries.most_common(1)[0][0] == "US"
    assert any(":" in ip for ip in ips) and any("." in ip for ip in ips)


def _day_counts(traffic) -> dict[date, int]:
    days: dict[date, int] = Counter()
    ny = ZoneInfo("America/New_York")
    for m in traffic:
        if m["type"] == "page":
            ts = datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00"))
            days[ts.astimezone(ny).date()] += 1
    return days


def test_weekends_are_quieter_and_black_friday_spikes(traffic):
    days = _day_counts(traffic)
    bf = date(2026, 11, 27)
    calm = {
        d: n
        for d, n in days.items()
        if not -8 <= (d - bf).days <= 4 and date(2026, 10, 23) <= d <= date(2026, 12, 19)
    }
    weekend = statistics.mean(n for d, n in calm.items() if d.weekday() >= 5)
    weekday = statistics.mean(n for d, n in calm.items() if d.weekday() < 5)
    assert weekend < 0.9 * weekday
    assert days[bf] > 2.5 * statistics.median(calm.values())
    orders_by_day = Counter(
        datetime.fromisoformat(m["timestamp"][:10]).date()
        for m in traffic
        if m.get("event") == "Placed Order"
    )
    assert orders_by_day[bf] > 3 * statistics.median(orders_by_day.values())
    campaigns = Counter(
        m["properties"].get("utm_campaign") for m in traffic if m.get("event") == "Placed Order"
    )
    assert campaigns["black_friday"] > 0 and len(campaigns) >= 6


def test_visits_follow_the_visitors_local_clock(traffic):
    by_hour: dict[int, int] = defaultdict(int)
    for m in traffic:
        if m["type"] != "page":
            continue
        if country_of(m["context"]["ip"]) != "DE":
            continue
        ts = datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00"))
        by_hour[ts.astimezone(ZoneInfo("Europe/Berlin")).hour] += 1
    night = sum(by_hour[h] for h in (2, 3, 4, 5))
    evening = sum(by_hour[h] for h in (18, 19, 20, 21))
    assert evening > 6 * night
