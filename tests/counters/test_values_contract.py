"""read()'s `values` and read_ranges(), on SQLite and Cassandra alike: a read of some values
answers exactly those values' cells of a full read; ALL_VALUES answers the sum over every value
of the dimension per hour or day (what a series by a dimension reads instead of every value);
value "" under a dimension is refused on write; read_ranges() is read() over several ranges."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta

import pytest

from backend.counters.base import ALL_VALUES, CounterKey, Totals

D = datetime(2026, 3, 14)  # a UTC midnight
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
VALUES = ["FR", "DE", "US", "ümlaut", "a,b", " "]


@pytest.fixture
def loaded(store, new_id):
    """Random hour cells over 4 days by country, and the total; revenue in quarters, so any
    order of adding agrees exactly."""
    acc, rng = new_id("acc"), random.Random(7)
    deltas: dict = defaultdict(lambda: [0, 0.0])
    for _ in range(400):
        hour = D - DAY + rng.randrange(96) * HOUR
        count, revenue = rng.randint(1, 9), rng.randint(0, 400) * 0.25
        for key in (
            CounterKey(acc, "Placed Order", "country", rng.choice(VALUES), hour),
            CounterKey(acc, "Placed Order", "", "", hour),
        ):
            deltas[key][0] += count
            deltas[key][1] += revenue
    store.increment(new_id("f"), {k: Totals(c, r) for k, (c, r) in deltas.items()})
    return store, acc


def sums_over_values(cells) -> dict:
    out: dict = defaultdict(lambda: [0, 0.0])
    for (_, when), t in cells.items():
        out[(ALL_VALUES, when)][0] += t.count
        out[(ALL_VALUES, when)][1] += t.revenue
    return {k: Totals(c, r) for k, (c, r) in out.items()}


@pytest.mark.parametrize("grain", ["hour", "day"])
def test_values_answer_those_values_cells_and_the_sum(loaded, grain):
    store, acc = loaded
    lo, hi = D - DAY, D + 3 * DAY
    every = dict(store.read(acc, "Placed Order", "country", lo, hi, grain=grain))
    assert {v for v, _ in every} == set(VALUES)  # the sum is never part of a full read
    some = ["DE", "a,b", "XX"]  # XX: no cells, nothing answered
    got = store.read(acc, "Placed Order", "country", lo, hi, grain=grain, values=some)
    assert dict(got) == {k: t for k, t in every.items() if k[0] in some}
    with_sum = store.read(
        acc, "Placed Order", "country", lo, hi, grain=grain, values=["US", ALL_VALUES]
    )
    assert dict(with_sum) == {
        **{k: t for k, t in every.items() if k[0] == "US"},
        **sums_over_values(every),
    }
    assert store.read(acc, "Placed Order", "country", lo, hi, grain=grain, values=[]) == {}


def test_the_sum_of_the_total_is_the_total(loaded):
    store, acc = loaded
    lo, hi = D - DAY, D + 3 * DAY
    total = dict(store.read(acc, "Placed Order", "", lo, hi))
    assert dict(store.read(acc, "Placed Order", "", lo, hi, values=[ALL_VALUES])) == total
    # every event here has a country: the sum over countries is the total, hour by hour
    by_country = store.read(acc, "Placed Order", "country", lo, hi, values=[ALL_VALUES])
    assert dict(by_country) == total


def test_the_sum_follows_later_flushes_and_is_exactly_once(store, new_id):
    acc, flush = new_id("acc"), new_id("f")
    deltas = {
        CounterKey(acc, "m", "utm_campaign", "spring", D): Totals(2, 5.0),
        CounterKey(acc, "m", "utm_campaign", "fall", D): Totals(3, 1.5),
    }
    store.increment(flush, deltas)
    store.increment(flush, deltas)  # a replay changes nothing
    store.increment(
        new_id("f"), {CounterKey(acc, "m", "utm_campaign", "spring", D + HOUR): Totals(1, 0.25)}
    )
    hours = store.read(acc, "m", "utm_campaign", D, D + DAY, values=[ALL_VALUES])
    assert dict(hours) == {("", D): Totals(5, 6.5), ("", D + HOUR): Totals(1, 0.25)}
    days = store.read(acc, "m", "utm_campaign", D, D + DAY, grain="day", values=[ALL_VALUES])
    assert dict(days) == {("", D): Totals(6, 6.75)}


def test_value_empty_under_a_dimension_is_refused_and_nothing_is_written(store, new_id):
    acc, flush = new_id("acc"), new_id("f")
    bad = {
        CounterKey(acc, "m", "", "", D): Totals(1, 0.0),
        CounterKey(acc, "m", "country", "", D): Totals(1, 0.0),
    }
    with pytest.raises(ValueError, match="reserved for the sum"):
        store.increment(flush, bad)
    assert store.read(acc, "m", "", D, D + DAY) == {}
    # the flush id was not used up: the same flush, mended, applies
    store.increment(flush, {CounterKey(acc, "m", "", "", D): Totals(1, 0.0)})
    assert dict(store.read(acc, "m", "", D, D + DAY)) == {("", D): Totals(1, 0.0)}


def test_values_must_be_a_list_of_strings(loaded):
    store, acc = loaded
    for bad in ("FR", [1], [None]):
        with pytest.raises(TypeError, match="values"):
            store.read(acc, "Placed Order", "country", D, D + DAY, values=bad)


def test_read_ranges_is_read_over_each_range(loaded):
    store, acc = loaded
    ranges = [
        (D - DAY + 19 * HOUR, D),
        (D + 19 * HOUR, D + DAY),  # Kolkata's edges, say
        (D + DAY + 2 * HOUR, D + DAY + 2 * HOUR),  # empty
        (D + 2 * DAY, D + 3 * DAY + 5 * HOUR),
    ]  # past the data
    for values in (None, ["FR", ALL_VALUES], ["XX"]):
        expected = {}
        for lo, hi in ranges:
            expected |= dict(store.read(acc, "Placed Order", "country", lo, hi, values=values))
        got = store.read_ranges(acc, "Placed Order", "country", ranges, values=values)
        assert dict(got) == expected
    assert store.read_ranges(acc, "Placed Order", "country", []) == {}
    one = store.read_ranges(acc, "Placed Order", "", ranges[:1])
    assert dict(one) == dict(store.read(acc, "Placed Order", "", *ranges[0]))


@pytest.mark.parametrize(
    "ranges",
    [
        [(D + 2 * HOUR, D + 4 * HOUR), (D + 3 * HOUR, D + 5 * HOUR)],  # overlapping
        [(D + 5 * HOUR, D + 6 * HOUR), (D, D + HOUR)],  # not ascending
        [(D + timedelta(minutes=30), D + 2 * HOUR)],  # not whole hours
        [(D + 2 * HOUR, D)],  # backwards
    ],
)
def test_read_ranges_refuses_ranges_that_would_count_a_cell_twice_or_miss_one(loaded, ranges):
    store, acc = loaded
    with pytest.raises(ValueError, match="read_ranges"):
        store.read_ranges(acc, "Placed Order", "country", ranges)
