"""Helpers that write counters and rows directly, where the ingest pipeline is not needed."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest

from backend.counters.base import CounterKey, Totals
from backend.counters.sqlite import SqliteCounterStore

_flush_ids = itertools.count()


def _put(counters, account_id: str, metric: str, hour: datetime, count: int = 1,
        revenue: float = 0.0, **dims: str) -> None:
    """Count `count` events at `hour` (naive UTC) in the total and in each dimension given."""
    hour = hour.replace(minute=0, second=0, microsecond=0)
    deltas = {CounterKey(account_id, metric, "", "", hour): Totals(count, revenue)}
    for dim, value in dims.items():
        deltas[CounterKey(account_id, metric, dim, value, hour)] = Totals(count, revenue)
    counters.increment(f"test-{next(_flush_ids)}", deltas)


@pytest.fixture
def counters(tmp_path):
    store = SqliteCounterStore(tmp_path / "counters.sqlite3")
    yield store
    store.close()


@pytest.fixture
def put():
    """put(counters, account_id, metric, hour, count=1, revenue=0.0, **dimension_values)"""
    return _put
