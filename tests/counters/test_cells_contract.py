"""read()'s answer as columns (Cells), on SQLite and Cassandra alike: the columns hold exactly
the cells of the Mapping view, for hour and day cells, empty reads included."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import numpy as np
import pytest

from backend.counters.base import Cells, CounterKey, Totals, from_epoch, to_epoch

D = datetime(2026, 3, 14)  # a UTC midnight
DAY = timedelta(days=1)


def key(acc: str, hour: datetime, dim: str = "", value: str = ""):
    return CounterKey(acc, "Placed Order", dim, value, hour)


def from_columns(cells: Cells) -> dict:
    """The cells as the columns say, built independently of the Mapping view."""
    out = {}
    for i, e, c, r in zip(cells.index, cells.epochs, cells.counts, cells.revenue, strict=True):
        k = (cells.distinct[int(i)], from_epoch(int(e)))
        assert k not in out, f"{k} twice in the columns"
        out[k] = Totals(int(c), float(r))
    return out


def assert_columns_match(cells) -> None:
    assert isinstance(cells, Cells)
    n = len(cells)
    for column, dtype in (
        (cells.index, np.int64),
        (cells.epochs, np.int64),
        (cells.counts, np.int64),
        (cells.revenue, np.float64),
    ):
        assert column.dtype == dtype and column.shape == (n,)
    assert len(set(cells.distinct)) == len(cells.distinct)
    assert all(isinstance(v, str) for v in cells.distinct)
    if n:
        assert cells.index.min() >= 0 and cells.index.max() < len(cells.distinct)
    assert from_columns(cells) == dict(cells.items())


@pytest.fixture
def loaded(store, new_id):
    acc, rng = new_id("acc"), random.Random(11)
    deltas = {}
    for i in range(300):
        hour = D - timedelta(hours=30) + timedelta(hours=rng.randrange(100))
        value = rng.choice(["FR", "DE", "US", " ", "ümlaut", "a,b"])
        t = Totals(rng.randint(1, 9), rng.randint(0, 10_000) / 100)
        deltas[key(acc, hour, "country", value)] = t
        deltas[key(acc, hour)] = Totals(i + 1, t.revenue)
    store.increment(new_id("f"), deltas)
    return store, acc, deltas


def test_hour_cells_as_columns(loaded):
    store, acc, deltas = loaded
    for dim in ("", "country"):
        lo, hi = D - timedelta(hours=7), D + timedelta(hours=41)
        cells = store.read(acc, "Placed Order", dim, lo, hi)
        assert_columns_match(cells)
        assert from_columns(cells) == {
            (k.value, k.hour): t
            for k, t in deltas.items()
            if k.dimension == dim and lo <= k.hour < hi
        }
        assert set(cells.distinct) == {v for v, _ in cells}
        assert all(
            to_epoch(lo) <= e < to_epoch(hi) and e % 3600 == 0 for e in cells.epochs.tolist()
        )


def test_day_cells_as_columns(loaded):
    store, acc, deltas = loaded
    cells = store.read(acc, "Placed Order", "country", D - 2 * DAY, D + 4 * DAY, grain="day")
    assert_columns_match(cells)
    assert all(e % 86400 == 0 for e in cells.epochs.tolist())
    expected: dict = {}
    for k, t in deltas.items():
        if k.dimension == "country":
            c, r = expected.get((k.value, k.hour.replace(hour=0)), (0, 0.0))
            expected[(k.value, k.hour.replace(hour=0))] = (c + t.count, r + t.revenue)
    got = from_columns(cells)
    assert set(got) == set(expected)
    for k, (count, revenue) in expected.items():
        assert got[k].count == count
        assert got[k].revenue == pytest.approx(revenue, rel=1e-12)


def test_empty_reads_have_empty_columns(loaded):
    store, acc, _ = loaded
    for cells in (
        store.read(acc, "Placed Order", "utm_source", D - DAY, D + DAY),
        store.read(acc, "Placed Order", "", D + 9 * DAY, D + 10 * DAY),
        store.read(acc, "Placed Order", "", D + DAY, D),
        store.read(acc, "Placed Order", "country", D + 9 * DAY, D + 12 * DAY, grain="day"),
    ):
        assert_columns_match(cells)
        assert len(cells) == 0 and cells.distinct == [] and cells == {}


def test_cells_of_a_plain_mapping():
    rows = {
        ("FR", D): Totals(2, 1.5),
        ("DE", D): Totals(1, 0.0),
        ("FR", D + timedelta(hours=1)): Totals(3, 0.25),
    }
    cells = Cells.of(rows)
    assert_columns_match(cells)
    assert cells == rows and dict(cells) == rows and Cells.of(cells) is cells
    assert cells[("FR", D)] == Totals(2, 1.5) and ("XX", D) not in cells
    assert Cells.empty() == {} and len(Cells.empty()) == 0
