"""Counter flush throughput: the same generated flushes into SQLite and Cassandra, side by side.

    .venv/bin/python bench/counters_flush.py [--flushes 200] [--keys 500]

Cassandra comes from TALLY_TEST_CASSANDRA_HOSTS (scripts/services.sh start) or
TALLY_CASSANDRA_HOSTS; a throwaway keyspace is created and dropped. A "increment" is one
counter cell (account, metric, dimension, value, hour) of a flush, as the aggregator sends them.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

# This checkout ahead of the editable install: run from another checkout (side by side),
# the benchmark measures that checkout's code, not the installed one.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.counters.base import CounterKey, Totals  # noqa: E402

METRICS = ["Placed Order", "Viewed Page", "Added to Cart", "Started Checkout", "Submitted Form"]
COUNTRIES = ["US", "FR", "DE", "GB", "JP", "BR", "IN", "CA", "ES", "IT"]
CAMPAIGNS = [f"campaign-{i}" for i in range(40)]


def flushes(n: int, keys: int, seed: int = 1) -> list[tuple[str, dict[CounterKey, Totals]]]:
    rng = random.Random(seed)
    now = datetime(2026, 6, 1)
    out = []
    for i in range(n):
        deltas: dict[CounterKey, Totals] = {}
        while len(deltas) < keys:
            acc = f"acc_bench{rng.randint(1, 3)}"
            metric = rng.choice(METRICS)
            hour = now - timedelta(hours=rng.randint(0, 24 * 7))
            dim, value = rng.choice(
                [
                    ("", ""),
                    ("country", rng.choice(COUNTRIES)),
                    ("utm_campaign", rng.choice(CAMPAIGNS)),
                ]
            )
            deltas[CounterKey(acc, metric, dim, value, hour)] = Totals(
                rng.randint(1, 20), round(rng.uniform(0, 500), 2)
            )
        out.append((f"bench-{i}", deltas))
    return out


def run(store, data) -> tuple[float, float, float]:
    """(increments per second, mean ms per 7-day read of one metric and dimension, the first
    time (Cassandra compacts what it reads) and again)"""
    started = time.perf_counter()
    for flush_id, deltas in data:
        store.increment(flush_id, deltas)
    write_s = time.perf_counter() - started
    increments = sum(len(d) for _, d in data)
    end = datetime(2026, 6, 1, 1)
    reads = [(f"acc_bench{a}", m, d) for a in (1, 2, 3) for m in METRICS for d in ("", "country")]
    read_ms = []
    for _ in range(2):
        started = time.perf_counter()
        for acc, metric, dim in reads:
            store.read(acc, metric, dim, end - timedelta(days=8), end)
        read_ms.append((time.perf_counter() - started) * 1000 / len(reads))
    return increments / write_s, *read_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flushes", type=int, default=200)
    parser.add_argument("--keys", type=int, default=500)
    args = parser.parse_args()
    data = flushes(args.flushes, args.keys)
    total = sum(len(d) for _, d in data)
    print(f"{args.flushes} flushes x {args.keys} counter cells = {total} increments")

    from backend.counters.sqlite import SqliteCounterStore

    with tempfile.TemporaryDirectory() as tmp:
        sqlite = SqliteCounterStore(os.path.join(tmp, "counters.sqlite3"))
        sqlite_rate, sqlite_first, sqlite_read = run(sqlite, data)
        sqlite.close()

    hosts = os.environ.get("TALLY_TEST_CASSANDRA_HOSTS") or os.environ.get("TALLY_CASSANDRA_HOSTS")
    print(f"{'backend':<10} {'increments/s':>14} {'1st read ms':>12} {'read ms':>9}")
    print(f"{'sqlite':<10} {sqlite_rate:>14,.0f} {sqlite_first:>12.2f} {sqlite_read:>9.2f}")
    if not hosts:
        print("cassandra: not running (scripts/services.sh start), skipped")
        return
    from backend.counters.cassandra import CassandraCounterStore

    keyspace = f"bench_{uuid.uuid4().hex[:8]}"
    cassandra = CassandraCounterStore(tuple(hosts.split(",")), keyspace, 1)
    try:
        cass_rate, cass_first, cass_read = run(cassandra, data)
    finally:
        cassandra.session.execute(f"DROP KEYSPACE IF EXISTS {keyspace}")
        cassandra.close()
    print(f"{'cassandra':<10} {cass_rate:>14,.0f} {cass_first:>12.2f} {cass_read:>9.2f}")
    print(
        f"ratio cassandra/sqlite: increments/s {cass_rate / sqlite_rate:.2f}x, "
        f"read time {cass_read / sqlite_read:.2f}x"
    )


if __name__ == "__main__":
    main()
