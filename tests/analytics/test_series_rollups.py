"""series() over day cells plus edge hours gives exactly what summing every hour cell gives.

The reference below is the plain rule of docs/analytics.md applied hour by hour: every UTC
hour of [start 00:00, end+1 00:00) in the zone goes to the local bucket in which it starts.
series() reads day cells for whole UTC days and hour cells only where a local bucket edge
cuts a UTC day (taking them away from the day cell when that reads fewer cells), so zones
with whole-hour, half-hour and 45-minute offsets, DST change days and ranges starting and
ending in the middle of UTC days are all compared, on both counter stores.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.analytics import OTHER_KEY, series
from backend.analytics.timebuckets import plan
from backend.counters.base import CounterKey, Totals

FIRST = datetime(2026, 2, 20)  # data over 60 days: US, EU, Chile and Lord Howe DST changes
HOURS = 60 * 24
COUNTRIES = ["US", "DE", "FR", "GB", "JP", "IN", "BR", "CA", "AU", "ES", "IT", "NL"]
ZONES = [
    "UTC",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/Santiago",
    "Asia/Tokyo",
    "Europe/London",
]
DAY = timedelta(days=1)


def dataset(acc: str, rng: random.Random) -> dict[CounterKey, Totals]:
    """Random hour cells for the total and by country (some events have no country).
    Revenue in quarters: sums are exact in floats, so any order of adding agrees."""
    deltas: dict[CounterKey, Totals] = {}
    total: dict[datetime, list] = defaultdict(lambda: [0, 0.0])
    for _ in range(900):
        hour = FIRST + timedelta(hours=rng.randrange(HOURS))
        t = Totals(rng.randint(1, 9), rng.randint(0, 400) * 0.25)
        country = rng.choice(COUNTRIES + [None])
        if country is not None:
            k = CounterKey(acc, "m", "country", country, hour)
            old = deltas.get(k, Totals(0, 0.0))
            deltas[k] = Totals(old.count + t.count, old.revenue + t.revenue)
        total[hour][0] += t.count
        total[hour][1] += t.revenue
    for hour, (c, r) in total.items():
        deltas[CounterKey(acc, "m", "", "", hour)] = Totals(c, r)
    return deltas


def reference(deltas, start: date, end: date, interval: str, tz: str, dim: str):
    """{value: {label: [count, revenue]}} by the hour-by-hour rule."""
    z = ZoneInfo(tz)

    def ceil_hour(local: datetime) -> datetime:
        u = local.astimezone(UTC).replace(tzinfo=None)
        f = u.replace(minute=0, second=0, microsecond=0)
        return f if f == u else f + timedelta(hours=1)

    lo = ceil_hour(datetime.combine(start, time(0), z))
    hi = ceil_hour(datetime.combine(end + DAY, time(0), z))
    out: dict = defaultdict(lambda: defaultdict(lambda: [0, 0.0]))
    for k, t in deltas.items():
        if k.dimension != dim or not lo <= k.hour < hi:
            continue
        local = k.hour.replace(tzinfo=UTC).astimezone(z)
        if interval == "hour":
            label = local.isoformat()
        else:
            d = local.date()
            if interval == "week":
                d -= timedelta(days=d.weekday())
            elif interval == "month":
                d = d.replace(day=1)
            label = datetime.combine(d, time(0), z).isoformat()
        out[k.value][label][0] += t.count
        out[k.value][label][1] += t.revenue
    return out


def by_key(df) -> dict:
    out: dict = defaultdict(dict)
    for key, t, c, r in zip(df["key"], df["t"], df["count"], df["revenue"], strict=True):
        out[key][t.isoformat()] = [int(c), float(r)]
    return out


def check(counters, acc, deltas, start, end, interval, tz, by, top=100, measure="count"):
    df = series(counters, acc, "m", start, end, interval, tz, by=by, top=top, measure=measure)
    got = by_key(df)
    labels = [t.isoformat() for t in plan(start, end, interval, tz).labels]
    assert all(list(points) == labels for points in got.values())
    total = reference(deltas, start, end, interval, tz, "")[""]
    if by is None:
        assert got == {None: {lab: total.get(lab, [0, 0.0]) for lab in labels}}
        return
    ref = reference(deltas, start, end, interval, tz, by)
    ranked = sorted(
        ref, key=lambda v: (-sum(p[0 if measure == "count" else 1] for p in ref[v].values()), v)
    )
    assert list(dict.fromkeys(df["key"]))[: min(top, len(ranked))] == ranked[:top]
    for value in ranked[:top]:
        assert got[value] == {lab: ref[value].get(lab, [0, 0.0]) for lab in labels}
    if len(ranked) > top:
        other = {
            lab: [sum(ref[v].get(lab, [0, 0.0])[i] for v in ranked[top:]) for i in (0, 1)]
            for lab in labels
        }
        assert got[OTHER_KEY] == other
    # the series add up to the total in every bucket
    for lab in labels:
        assert sum(points[lab][0] for points in got.values()) == total.get(lab, [0])[0]


@pytest.fixture
def loaded(counters):
    """One account's random dataset, written in one flush, then replayed (exactly once)."""
    acc = f"acc_{uuid.uuid4().hex[:12]}"
    deltas = dataset(acc, random.Random(5))
    flush = f"test-{uuid.uuid4().hex}"
    counters.increment(flush, deltas)
    counters.increment(flush, deltas)
    return counters, acc, deltas


@pytest.mark.parametrize("tz", ZONES)
def test_every_interval_matches_the_hour_by_hour_sums(loaded, tz):
    counters, acc, deltas = loaded
    # whole range, DST weeks, a range starting before and ending after the data
    cases = [
        (date(2026, 2, 20), date(2026, 4, 20), "day"),
        (date(2026, 3, 5), date(2026, 4, 8), "week"),
        (date(2026, 2, 1), date(2026, 5, 31), "month"),
        (date(2026, 3, 7), date(2026, 3, 9), "hour"),
        (date(2026, 4, 4), date(2026, 4, 6), "hour"),
        (date(2026, 3, 28), date(2026, 3, 30), "day"),
    ]
    for start, end, interval in cases:
        check(counters, acc, deltas, start, end, interval, tz, None)
        check(counters, acc, deltas, start, end, interval, tz, "country")


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"])
def test_random_ranges_top_n_and_measures(loaded, tz):
    counters, acc, deltas = loaded
    rng = random.Random(tz)
    for _ in range(6):
        start = date(2026, 2, 15) + timedelta(days=rng.randrange(60))
        end = start + timedelta(days=rng.randrange(40))
        interval = rng.choice(["day", "day", "week", "month"])
        check(
            counters,
            acc,
            deltas,
            start,
            end,
            interval,
            tz,
            "country",
            top=rng.choice([1, 3, 10]),
            measure=rng.choice(["count", "revenue"]),
        )


@pytest.mark.parametrize("tz", ["UTC", "Asia/Kolkata"])
def test_hourly_series_by_a_dimension_with_few_top_values(loaded, tz):
    # by hour: only the top values' and the dimension's sum's hour cells are read
    counters, acc, deltas = loaded
    for top in (1, 3):
        for measure in ("count", "revenue"):
            check(
                counters,
                acc,
                deltas,
                date(2026, 3, 6),
                date(2026, 3, 9),
                "hour",
                tz,
                "country",
                top=top,
                measure=measure,
            )


def test_a_value_only_outside_the_range_is_not_a_series(counters, acc, put):
    # New York's Mar 2 starts at 05:00 UTC: the 03:00 UTC cell is in the UTC day's cell but
    # belongs to Mar 1, outside the range
    put(counters, acc, "m", datetime(2026, 3, 2, 3), 4, 4.0, country="FR")
    put(counters, acc, "m", datetime(2026, 3, 2, 12), 1, 1.0, country="DE")
    df = series(
        counters, acc, "m", date(2026, 3, 2), date(2026, 3, 2), tz="America/New_York", by="country"
    )
    assert list(df["key"]) == ["DE"]
    assert df["count"].tolist() == [1]


def test_a_cell_at_each_edge_of_a_new_york_day(counters, acc, put):
    # Mar 8 2026 in New York (spring forward, 23 hours) is 05:00 UTC Mar 8 to 04:00 UTC Mar 9
    for hour, n in (
        (datetime(2026, 3, 8, 4), 1),
        (datetime(2026, 3, 8, 5), 10),
        (datetime(2026, 3, 9, 3), 100),
        (datetime(2026, 3, 9, 4), 1000),
    ):
        put(counters, acc, "m", hour, n, 0.0, country="US")
    df = series(
        counters, acc, "m", date(2026, 3, 7), date(2026, 3, 9), tz="America/New_York", by="country"
    )
    assert df["count"].tolist() == [1, 110, 1000]
    assert [t.isoformat() for t in df["t"]] == [
        "2026-03-07T00:00:00-05:00",
        "2026-03-08T00:00:00-05:00",
        "2026-03-09T00:00:00-04:00",
    ]
