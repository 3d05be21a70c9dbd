"""The CounterStore contract, run against SQLite and a real Cassandra node alike."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta

import pytest

from backend.counters.base import CounterKey, Totals

H = datetime(2026, 3, 14, 22)  # late in a UTC day: ranges below cross midnight


def key(acc: str, hour: datetime, metric: str = "Placed Order", dim: str = "", value: str = ""):
    return CounterKey(acc, metric, dim, value, hour)


def test_round_trip_totals_and_dimensions(store, new_id):
    acc = new_id("acc")
    store.increment(
        new_id("f"),
        {
            key(acc, H): Totals(3, 30.5),
            key(acc, H, dim="country", value="FR"): Totals(2, 20.5),
            key(acc, H, dim="country", value="DE"): Totals(1, 10.0),
            key(acc, H + timedelta(hours=1)): Totals(1, 0.0),
        },
    )
    day = (H - timedelta(hours=22), H + timedelta(hours=26))
    assert store.read(acc, "Placed Order", "", *day) == {
        ("", H): Totals(3, 30.5),
        ("", H + timedelta(hours=1)): Totals(1, 0.0),
    }
    assert store.read(acc, "Placed Order", "country", *day) == {
        ("FR", H): Totals(2, 20.5),
        ("DE", H): Totals(1, 10.0),
    }
    assert store.read(acc, "Placed Order", "utm_source", *day) == {}


def test_hour_range_is_half_open_and_crosses_days(store, new_id):
    acc = new_id("acc")
    hours = [H + timedelta(hours=i) for i in range(-3, 6)]  # 19:00 .. 03:00 next day
    store.increment(new_id("f"), {key(acc, h): Totals(i + 1, 0.0) for i, h in enumerate(hours)})
    start, end = H - timedelta(hours=1), H + timedelta(hours=4)  # 21:00 .. 02:00 (excluded)
    got = store.read(acc, "Placed Order", "", start, end)
    assert sorted(h for _, h in got) == [h for h in hours if start <= h < end]
    assert got[("", start)] == Totals(3, 0.0)
    assert ("", end) not in got
    assert store.read(acc, "Placed Order", "", end, end) == {}
    assert store.read(acc, "Placed Order", "", end, start) == {}
    one = store.read(acc, "Placed Order", "", H, H + timedelta(hours=1))
    assert one == {("", H): Totals(4, 0.0)}


def test_same_flush_id_twice_counts_once(store, new_id):
    acc, flush = new_id("acc"), new_id("f")
    deltas = {key(acc, H): Totals(5, 12.25), key(acc, H, dim="country", value="US"): Totals(5, 0)}
    store.increment(flush, deltas)
    store.increment(flush, deltas)
    store.increment(new_id("f"), {key(acc, H): Totals(1, 1.0)})
    store.increment(flush, deltas)
    assert store.read(acc, "Placed Order", "", H, H + timedelta(hours=1)) == {
        ("", H): Totals(6, 13.25)
    }


def test_many_flushes_are_summed(store, new_id):
    acc, rng = new_id("acc"), random.Random(7)
    expected: dict[tuple[str, datetime], list] = defaultdict(lambda: [0, 0.0])
    for _ in range(60):
        deltas = {}
        for _ in range(rng.randint(1, 8)):
            h = H + timedelta(hours=rng.randint(-30, 30))
            v = rng.choice(["FR", "DE", "US", "JP"])
            t = Totals(rng.randint(1, 5), round(rng.uniform(0, 100), 2))
            deltas[key(acc, h, dim="country", value=v)] = t
        for k, t in deltas.items():
            expected[(k.value, k.hour)][0] += t.count
            expected[(k.value, k.hour)][1] += t.revenue
        store.increment(new_id("f"), deltas)
    got = store.read(acc, "Placed Order", "country", H - timedelta(days=2), H + timedelta(days=2))
    assert set(got) == set(expected)
    for k, (count, revenue) in expected.items():
        assert got[k].count == count
        assert got[k].revenue == pytest.approx(revenue, rel=1e-12)


def test_revenue_floats(store, new_id):
    acc = new_id("acc")
    for _ in range(10):
        store.increment(new_id("f"), {key(acc, H): Totals(1, 0.1)})
    store.increment(new_id("f"), {key(acc, H): Totals(1, 1e9 + 0.01)})
    (totals,) = store.read(acc, "Placed Order", "", H, H + timedelta(hours=1)).values()
    assert totals.count == 11 and isinstance(totals.count, int)
    assert isinstance(totals.revenue, float)
    assert totals.revenue == pytest.approx(1e9 + 1.01, abs=1e-6)


def test_accounts_and_metrics_are_isolated(store, new_id):
    a, b = new_id("acc"), new_id("acc")
    store.increment(
        new_id("f"),
        {
            key(a, H): Totals(1, 1.0),
            key(a, H, metric="Viewed Page"): Totals(10, 0.0),
            key(b, H): Totals(100, 100.0),
        },
    )
    window = (H, H + timedelta(hours=1))
    assert store.read(a, "Placed Order", "", *window) == {("", H): Totals(1, 1.0)}
    assert store.read(a, "Viewed Page", "", *window) == {("", H): Totals(10, 0.0)}
    assert store.read(b, "Placed Order", "", *window) == {("", H): Totals(100, 100.0)}
    assert store.read(b, "Viewed Page", "", *window) == {}


def test_large_flush(store, new_id):
    acc = new_id("acc")
    deltas = {
        key(acc, H + timedelta(hours=i % 48), dim="product", value=f"sku-{i}"): Totals(
            i % 7 + 1, i / 4
        )
        for i in range(20_000)
    }
    flush = new_id("f")
    store.increment(flush, deltas)
    store.increment(flush, deltas)
    got = store.read(acc, "Placed Order", "product", H, H + timedelta(hours=48))
    assert len(got) == 20_000
    assert sum(t.count for t in got.values()) == sum(t.count for t in deltas.values())
    assert got[("sku-12345", H + timedelta(hours=12345 % 48))] == Totals(12345 % 7 + 1, 12345 / 4)


def test_long_ranges_find_sparse_days(store, new_id):
    acc = new_id("acc")
    hours = [
        datetime(2024, 2, 29, 23),
        datetime(2025, 7, 4, 0),
        datetime(2025, 7, 14, 5),
        datetime(2026, 12, 31, 23),
    ]
    store.increment(new_id("f"), {key(acc, h): Totals(i + 1, 0.5) for i, h in enumerate(hours)})
    everything = store.read(acc, "Placed Order", "", datetime(2000, 1, 1), datetime(2031, 1, 1))
    assert sorted(h for _, h in everything) == hours
    # ten days, half open: 2025-07-04 00:00 included, 2025-07-14 05:00 excluded
    ten = store.read(acc, "Placed Order", "", datetime(2025, 7, 4), datetime(2025, 7, 14, 5))
    assert ten == {("", hours[1]): Totals(2, 0.5)}
    assert store.read(acc, "Placed Order", "", datetime(2027, 1, 1), datetime(2030, 1, 1)) == {}
