"""The CounterStore contract for day cells (read(..., grain="day")), on SQLite and Cassandra.

Every backend keeps a roll-up per UTC day, written by increment() in the same flush as the
hour cells: a day's cells must always equal the sums of its hours, flush replays included.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta

import pytest

from backend.counters.base import CounterKey, Totals

D = datetime(2026, 3, 14)  # a UTC midnight
DAY = timedelta(days=1)


def key(acc: str, hour: datetime, dim: str = "", value: str = "", metric: str = "Placed Order"):
    return CounterKey(acc, metric, dim, value, hour)


def day_sums(hour_rows: dict) -> dict:
    """What the day cells must hold: hour cells summed per (value, UTC midnight)."""
    counts: dict[tuple[str, datetime], int] = defaultdict(int)
    revenues: dict[tuple[str, datetime], float] = defaultdict(float)
    for (value, hour), t in hour_rows.items():
        midnight = hour.replace(hour=0)
        counts[(value, midnight)] += t.count
        revenues[(value, midnight)] += t.revenue
    return {k: (c, revenues[k]) for k, c in counts.items()}


def assert_days_match_hours(
    store, acc: str, dim: str, start: datetime, end: datetime, metric: str = "Placed Order"
) -> dict:
    days = store.read(acc, metric, dim, start, end, grain="day")
    expected = day_sums(store.read(acc, metric, dim, start, end))
    assert set(days) == set(expected)
    for k, (count, revenue) in expected.items():
        assert days[k].count == count and isinstance(days[k].count, int)
        assert days[k].revenue == pytest.approx(revenue, rel=1e-12, abs=1e-9)
    return days


def test_day_cells_sum_the_hours_of_each_utc_day(store, new_id):
    acc = new_id("acc")
    # 22:00 on Mar 13 to 02:00 on Mar 16: three midnights crossed
    hours = [D - timedelta(hours=2) + timedelta(hours=i) for i in range(0, 53, 3)]
    deltas = {}
    for i, h in enumerate(hours):
        deltas[key(acc, h)] = Totals(i + 1, i * 1.25)
        deltas[key(acc, h, "country", "FR" if i % 2 else "DE")] = Totals(i + 1, i * 1.25)
    store.increment(new_id("f"), deltas)
    days = store.read(acc, "Placed Order", "", D - DAY, D + 3 * DAY, grain="day")
    assert sorted(days) == [("", D - DAY), ("", D), ("", D + DAY), ("", D + 2 * DAY)]
    assert days[("", D - DAY)] == Totals(1, 0.0)  # only 22:00 on Mar 13
    assert days[("", D)] == Totals(sum(range(2, 10)), sum(i * 1.25 for i in range(1, 9)))
    assert_days_match_hours(store, acc, "", D - DAY, D + 3 * DAY)
    by_country = assert_days_match_hours(store, acc, "country", D - DAY, D + 3 * DAY)
    assert {v for v, _ in by_country} == {"FR", "DE"}
    # half open, by whole days: [Mar 14, Mar 15) is one day
    assert sorted(store.read(acc, "Placed Order", "", D, D + DAY, grain="day")) == [("", D)]
    assert store.read(acc, "Placed Order", "", D + 5 * DAY, D + 9 * DAY, grain="day") == {}
    assert store.read(acc, "Placed Order", "", D, D, grain="day") == {}
    assert store.read(acc, "Placed Order", "", D + DAY, D, grain="day") == {}
    assert store.read(acc, "Placed Order", "utm_source", D - DAY, D + 3 * DAY, grain="day") == {}


def test_day_grain_reads_whole_days_only(store, new_id):
    acc = new_id("acc")
    store.increment(new_id("f"), {key(acc, D + timedelta(hours=5)): Totals(1, 1.0)})
    for start, end in (
        (D + timedelta(hours=1), D + DAY),
        (D, D + timedelta(hours=23)),
        (D + timedelta(minutes=30), D + DAY),
    ):
        with pytest.raises(ValueError, match="midnight"):
            store.read(acc, "Placed Order", "", start, end, grain="day")
    with pytest.raises(ValueError, match="grain"):
        store.read(acc, "Placed Order", "", D, D + DAY, grain="week")


def test_replayed_flush_counts_once_in_day_cells(store, new_id):
    acc, flush = new_id("acc"), new_id("f")
    deltas = {
        key(acc, D + timedelta(hours=23)): Totals(5, 12.25),
        key(acc, D + timedelta(hours=24)): Totals(2, 0.5),  # the next day
        key(acc, D + timedelta(hours=23), "country", "US"): Totals(5, 12.25),
    }
    store.increment(flush, deltas)
    store.increment(flush, deltas)
    store.increment(new_id("f"), {key(acc, D + timedelta(hours=1)): Totals(1, 1.0)})
    store.increment(flush, deltas)
    days = store.read(acc, "Placed Order", "", D, D + 2 * DAY, grain="day")
    assert days == {("", D): Totals(6, 13.25), ("", D + DAY): Totals(2, 0.5)}
    assert store.read(acc, "Placed Order", "country", D, D + 2 * DAY, grain="day") == {
        ("US", D): Totals(5, 12.25)
    }


def test_many_flushes_day_cells_match_hours(store, new_id):
    acc, rng = new_id("acc"), random.Random(11)
    flushes = []
    for _ in range(40):
        deltas = {}
        for _ in range(rng.randint(1, 10)):
            h = D + timedelta(hours=rng.randint(-40, 70))
            v = rng.choice(["FR", "DE", "US", "JP", "IN"])
            deltas[key(acc, h, "country", v)] = Totals(
                rng.randint(1, 5), round(rng.uniform(0, 100), 2)
            )
        flushes.append((new_id("f"), deltas))
    for flush_id, deltas in flushes:
        store.increment(flush_id, deltas)
    for flush_id, deltas in flushes[::3]:  # replays change nothing
        store.increment(flush_id, deltas)
    expected: dict[tuple[str, datetime], list] = defaultdict(lambda: [0, 0.0])
    for _, deltas in flushes:
        for k, t in deltas.items():
            expected[(k.value, k.hour.replace(hour=0))][0] += t.count
            expected[(k.value, k.hour.replace(hour=0))][1] += t.revenue
    got = assert_days_match_hours(store, acc, "country", D - 2 * DAY, D + 3 * DAY)
    assert set(got) == set(expected)
    for k, (count, revenue) in expected.items():
        assert got[k].count == count
        assert got[k].revenue == pytest.approx(revenue, rel=1e-12)


def test_day_cells_over_long_sparse_ranges(store, new_id):
    acc = new_id("acc")
    hours = [
        datetime(2024, 2, 29, 23),
        datetime(2025, 7, 4, 0),
        datetime(2025, 7, 4, 5),
        datetime(2026, 12, 31, 23),
    ]
    store.increment(new_id("f"), {key(acc, h): Totals(i + 1, 0.5) for i, h in enumerate(hours)})
    everything = store.read(
        acc, "Placed Order", "", datetime(2000, 1, 1), datetime(2031, 1, 1), grain="day"
    )
    assert everything == {
        ("", datetime(2024, 2, 29)): Totals(1, 0.5),
        ("", datetime(2025, 7, 4)): Totals(5, 1.0),
        ("", datetime(2026, 12, 31)): Totals(4, 0.5),
    }
    assert (
        store.read(
            acc, "Placed Order", "", datetime(2025, 7, 5), datetime(2026, 12, 31), grain="day"
        )
        == {}
    )


def test_day_cells_are_isolated_and_keep_float_revenue(store, new_id):
    a, b = new_id("acc"), new_id("acc")
    for _ in range(10):
        store.increment(new_id("f"), {key(a, D + timedelta(hours=3)): Totals(1, 0.1)})
    store.increment(
        new_id("f"),
        {
            key(a, D + timedelta(hours=4)): Totals(1, 1e9 + 0.01),
            key(a, D, metric="Viewed Page"): Totals(7, 0.0),
            key(b, D): Totals(100, 100.0),
        },
    )
    (totals,) = store.read(a, "Placed Order", "", D, D + DAY, grain="day").values()
    assert totals.count == 11 and isinstance(totals.revenue, float)
    assert totals.revenue == pytest.approx(1e9 + 1.01, abs=1e-6)
    assert store.read(a, "Viewed Page", "", D, D + DAY, grain="day") == {("", D): Totals(7, 0.0)}
    assert store.read(b, "Placed Order", "", D, D + DAY, grain="day") == {
        ("", D): Totals(100, 100.0)
    }
    assert store.read(b, "Viewed Page", "", D, D + DAY, grain="day") == {}


def test_large_flush_day_cells(store, new_id):
    acc = new_id("acc")
    deltas = {
        key(acc, D + timedelta(hours=i % 48), "product", f"sku-{i % 5000}"): Totals(1, i / 4)
        for i in range(20_000)
    }
    flush = new_id("f")
    store.increment(flush, deltas)
    store.increment(flush, deltas)
    got = store.read(acc, "Placed Order", "product", D, D + 2 * DAY, grain="day")
    assert len(got) == 10_000  # 5,000 products on each of two days
    assert sum(t.count for t in got.values()) == 20_000
    # sku-7 is i = 7, 5007, 10007, 15007: hours 7, 15 and 23 of day one, 7 of day two
    assert got[("sku-7", D)] == Totals(3, (7 + 5007 + 10007) / 4)
    assert got[("sku-7", D + DAY)] == Totals(1, 15007 / 4)
