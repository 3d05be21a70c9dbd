"""Cassandra-only: exactly-once under crashes, timeouts and compaction races, on a real node."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta

import pytest
from cassandra import OperationTimedOut, WriteType
from cassandra.cluster import EXEC_PROFILE_DEFAULT

from backend.counters.base import CounterKey, Totals
from backend.counters.cassandra import CassandraCounterStore
from backend.counters.cassandra_schema import FlushRetryPolicy

H = datetime(2026, 5, 1, 0)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The child builds exactly the same deltas as big_flush(); concurrency=1 makes it slow enough
# to be killed part way.
CHILD = """
import sys
from tests.counters.test_cassandra_failures import big_flush
from backend.counters.cassandra import CassandraCounterStore
hosts, keyspace, acc, flush = sys.argv[1].split(","), sys.argv[2], sys.argv[3], sys.argv[4]
store = CassandraCounterStore(tuple(hosts), keyspace, 1, concurrency=1)
store.increment(flush, big_flush(acc))
"""


def big_flush(acc: str, n: int = 30_000) -> dict[CounterKey, Totals]:
    return {
        CounterKey(
            acc, "Placed Order", "product", f"sku-{i % 97}", H + timedelta(hours=i % 4800)
        ): Totals(i % 5 + 1, (i % 13) / 4)
        for i in range(n)
    }


def expected_sum(deltas) -> tuple[int, float]:
    return sum(t.count for t in deltas.values()), sum(t.revenue for t in deltas.values())


def read_sum(
    store, acc: str, dim: str = "product", days: int = 200, complete: bool = True
) -> tuple[int, float]:
    """Sums of the hour cells. When every flush is complete, the day cells hold the same (H is
    a midnight); a flush cut short shows whichever of its cells were written."""
    got = store.read(acc, "Placed Order", dim, H, H + timedelta(days=days))
    hours = sum(t.count for t in got.values()), sum(t.revenue for t in got.values())
    if not complete:
        return hours
    by_day = store.read(acc, "Placed Order", dim, H, H + timedelta(days=days), grain="day")
    assert sum(t.count for t in by_day.values()) == hours[0]
    assert sum(t.revenue for t in by_day.values()) == pytest.approx(hours[1])
    return hours


def ledger(store, flush: str):
    return store.session.execute(
        f"SELECT write_ts, complete FROM {store.keyspace}.counter_flushes WHERE flush_id=%s",
        (flush,),
    ).one()


def test_killed_mid_flush_then_retried_counts_exactly(
    cassandra_store, cassandra_hosts, cassandra_keyspace, new_id
):
    acc, flush = new_id("acc"), new_id("f")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, ",".join(cassandra_hosts), cassandra_keyspace, acc, flush],
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        first_day = (H, H + timedelta(days=1))
        while not cassandra_store.read(acc, "Placed Order", "product", *first_day):
            assert child.poll() is None and time.monotonic() < deadline, "child never wrote"
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    deltas = big_flush(acc)
    state = ledger(cassandra_store, flush)
    assert state is not None and state.complete is False, "the child finished before the kill"
    partial = read_sum(cassandra_store, acc, complete=False)
    assert 0 < partial[0] < expected_sum(deltas)[0]

    cassandra_store.increment(flush, deltas)  # the ingest pipeline's retry, same flush id
    cassandra_store.increment(flush, deltas)
    count, revenue = read_sum(cassandra_store, acc)
    assert count == expected_sum(deltas)[0]
    assert revenue == pytest.approx(expected_sum(deltas)[1])
    assert ledger(cassandra_store, flush).complete is True


def test_timeout_before_acknowledgement_then_retry(
    cassandra_store, cassandra_hosts, cassandra_keyspace, new_id
):
    acc, flush = new_id("acc"), new_id("f")
    deltas = big_flush(acc, 5_000)
    flaky = CassandraCounterStore(cassandra_hosts, cassandra_keyspace, 1)
    profile = flaky.session.cluster.profile_manager.profiles[EXEC_PROFILE_DEFAULT]
    claim = flaky._claim

    def claim_then_lose_acknowledgements(flush_id):
        result = claim(flush_id)
        profile.request_timeout = 0.0001  # the cells go out; their answers come too late
        return result

    flaky._claim = claim_then_lose_acknowledgements
    try:
        with pytest.raises(OperationTimedOut):
            flaky.increment(flush, deltas)
    finally:
        flaky.close()
    assert ledger(cassandra_store, flush).complete is False
    cassandra_store.increment(flush, deltas)
    assert read_sum(cassandra_store, acc)[0] == expected_sum(deltas)[0]


def test_crash_before_completion_is_not_compacted(cassandra_store, new_id):
    acc, flush = new_id("acc"), new_id("f")
    deltas = {
        CounterKey(acc, "Placed Order", "", "", H + timedelta(hours=h)): Totals(2, 1.5)
        for h in range(5)
    }
    ts, _ = cassandra_store._claim(flush)
    cassandra_store._write_cells(flush, ts, deltas)  # then the process dies: never completed
    cassandra_store.increment(
        new_id("f"), {CounterKey(acc, "Placed Order", "", "", H): Totals(1, 1)}
    )
    # only the other flush: its hour cell and its day cell
    assert cassandra_store.compact(acc, "Placed Order", "", H.date()) == 2
    assert read_sum(cassandra_store, acc, "") == (11, 8.5)
    cassandra_store.increment(flush, deltas)
    assert cassandra_store.compact(acc, "Placed Order", "", H.date()) == 5 + 1
    cassandra_store.increment(flush, deltas)
    assert read_sum(cassandra_store, acc, "") == (11, 8.5)


def test_straggling_retry_after_compaction_is_shadowed(cassandra_store, new_id):
    acc, flush = new_id("acc"), new_id("f")
    deltas = {CounterKey(acc, "Placed Order", "", "", H): Totals(3, 3.0)}
    cassandra_store.increment(flush, deltas)
    assert cassandra_store.compact(acc, "Placed Order", "", H.date()) == 2  # hour + day cell
    # A retry that saw the flush incomplete just before it completed rewrites its cells with
    # the flush's own timestamp: the fold's delete is newer and hides them.
    cassandra_store._write_cells(flush, ledger(cassandra_store, flush).write_ts, deltas)
    assert read_sum(cassandra_store, acc, "") == (3, 3.0)


def test_read_compacts_and_concurrent_compactors_agree(cassandra_hosts, cassandra_keyspace, new_id):
    store = CassandraCounterStore(cassandra_hosts, cassandra_keyspace, 1, compact_after=5)
    try:
        acc = new_id("acc")
        for i in range(40):
            store.increment(
                new_id("f"),
                {
                    CounterKey(acc, "Placed Order", "", "", H + timedelta(hours=i % 3)): Totals(
                        1, 0.5
                    )
                },
            )
        threads = [
            threading.Thread(target=store.compact, args=(acc, "Placed Order", "", H.date()))
            for _ in range(3)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert read_sum(store, acc, "") == (40, 20.0)
        for _ in range(10):
            store.increment(new_id("f"), {CounterKey(acc, "Placed Order", "", "", H): Totals(1, 0)})
        assert read_sum(store, acc, "") == (50, 20.0)  # this read compacts (20 > 5 cells)
        flush_ids = [
            r.flush_id
            for r in store.session.execute(
                f"SELECT flush_id FROM {cassandra_keyspace}.counter_cells WHERE account_id=%s "
                "AND metric='Placed Order' AND dimension='' AND day=%s",
                (acc, H.date()),
            )
        ]
        assert flush_ids == ["", "", "", ""]  # one base cell per hour and the day's, no more
        assert read_sum(store, acc, "") == (50, 20.0)
    finally:
        store.close()


def test_retry_policy_retries_only_idempotent_timeouts():
    policy = FlushRetryPolicy()
    assert policy.on_write_timeout(None, 1, WriteType.UNLOGGED_BATCH, 1, 0, 0)[0] == policy.RETRY
    assert policy.on_write_timeout(None, 1, WriteType.SIMPLE, 1, 0, 1)[0] == policy.RETHROW
    assert policy.on_write_timeout(None, 1, WriteType.CAS, 1, 0, 0)[0] == policy.RETHROW
    assert policy.on_write_timeout(None, 1, WriteType.COUNTER, 1, 0, 0)[0] == policy.RETHROW
