"""Helpers that write counters and rows directly, where the ingest pipeline is not needed."""

from __future__ import annotations

import os
import uuid
from datetime import datetime

import pytest

from backend.counters.base import CounterKey, Totals
from backend.counters.sqlite import SqliteCounterStore

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _put(
    counters,
    account_id: str,
    metric: str,
    hour: datetime,
    count: int = 1,
    revenue: float = 0.0,
    **dims: str,
) -> None:
    """Count `count` events at `hour` (naive UTC) in the total and in each dimension given."""
    hour = hour.replace(minute=0, second=0, microsecond=0)
    deltas = {CounterKey(account_id, metric, "", "", hour): Totals(count, revenue)}
    for dim, value in dims.items():
        deltas[CounterKey(account_id, metric, dim, value, hour)] = Totals(count, revenue)
    counters.increment(f"test-{uuid.uuid4().hex}", deltas)


@pytest.fixture(scope="module")
def cassandra_counters():
    """One fresh keyspace per module on the Cassandra node scripts/services.sh starts."""
    hosts = os.environ.get("TALLY_TEST_CASSANDRA_HOSTS", "")
    if not hosts:
        if IN_CI:
            pytest.fail("TALLY_TEST_CASSANDRA_HOSTS is unset: services.sh must start Cassandra")
        pytest.skip("Cassandra not started (run `make test`, or scripts/services.sh start)")
    from backend.counters.cassandra import CassandraCounterStore

    keyspace = f"tally_test_{uuid.uuid4().hex[:12]}"
    store = CassandraCounterStore(tuple(h.strip() for h in hosts.split(",")), keyspace, 1)
    yield store
    store.session.execute(f"DROP KEYSPACE IF EXISTS {keyspace}")
    store.close()


@pytest.fixture(params=["sqlite", "cassandra"])
def counters(request, tmp_path):
    """The series queries run over both counter stores."""
    if request.param == "cassandra":
        yield request.getfixturevalue("cassandra_counters")
        return
    store = SqliteCounterStore(tmp_path / "counters.sqlite3")
    yield store
    store.close()


@pytest.fixture
def acc() -> str:
    """A fresh account id: tests sharing a Cassandra keyspace never see each other's data."""
    return f"acc_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def put():
    """put(counters, account_id, metric, hour, count=1, revenue=0.0, **dimension_values)"""
    return _put
