"""CounterStore on Apache Cassandra, exactly once per flush id (design: docs/cassandra.md).

increment(flush_id, deltas):
1. claim the flush in a ledger with a lightweight transaction; the first attempt fixes the
   flush's write timestamp, a retry reads it back; a flush already complete is a no-op;
2. write every delta as an ordinary cell keyed by (partition, hour, value, flush_id) with that
   timestamp: an idempotent upsert, so a retry after a crash or timeout rewrites the same
   cells instead of adding again (counter columns would double count here);
3. mark the flush complete.
read() sums the cells of each (value, hour); compaction (cassandra_compaction.py) folds
complete flushes into one base cell so reads stay short.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from cassandra.concurrent import execute_concurrent, execute_concurrent_with_args
from cassandra.query import BatchStatement, BatchType

from backend.counters.base import CounterKey, Totals
from backend.counters.cassandra_compaction import compact_partition
from backend.counters.cassandra_schema import BASE, Statements, connect, create_schema

# Rows per single-partition batch: ~60 bytes each keeps a batch near Cassandra's 5 KiB
# warning threshold and far below its 50 KiB failure threshold.
_CELLS_PER_BATCH = 64
# Up to a week is read day by day directly; longer ranges ask counter_days which days exist.
_DIRECT_READ_DAYS = 7


class CassandraCounterStore:
    """Thread-safe (the driver's Session is); one per process."""

    def __init__(
        self,
        hosts: tuple[str, ...] = ("127.0.0.1",),
        keyspace: str = "tally",
        replication: int = 1,
        *,
        port: int = 9042,
        concurrency: int = 64,
        compact_after: int = 256,
    ):
        self.keyspace = keyspace
        self.concurrency = concurrency
        # A read that meets more flush cells than this in a partition compacts it.
        self.compact_after = compact_after
        self._cluster, self._session = connect(hosts, port)
        create_schema(self._session, keyspace, replication)
        self._st = Statements.prepare(self._session, keyspace)
        self._indexed: set[tuple] = set()  # (account, metric, dimension, day) in counter_days

    @classmethod
    def from_settings(cls, settings) -> CassandraCounterStore:
        return cls(
            settings.cassandra_hosts, settings.cassandra_keyspace, settings.cassandra_replication
        )

    @property
    def session(self):
        return self._session

    def increment(self, flush_id: str, deltas: Mapping[CounterKey, Totals]) -> None:
        if not flush_id:
            raise ValueError("a flush needs a non-empty id")
        write_ts, complete = self._claim(flush_id)
        if complete:
            return
        self._write_cells(flush_id, write_ts, deltas)
        self._session.execute(self._st.complete, (flush_id,))

    def _claim(self, flush_id: str) -> tuple[int, bool]:
        """(write timestamp in µs, complete?) of the flush, claimed now if it is new."""
        now_us = time.time_ns() // 1000
        row = self._session.execute(self._st.claim, (flush_id, now_us)).one()
        if row.applied:
            return now_us, False
        return row.write_ts, bool(row.complete)

    def _write_cells(self, flush_id: str, write_ts: int, deltas: Mapping[CounterKey, Totals]):
        # Cells of one partition go together in unlogged batches: a single-partition batch is
        # one mutation on one replica set (no batch log), far fewer round trips than a
        # statement per cell. Partitions go in parallel.
        by_partition: dict[tuple, list[tuple]] = defaultdict(list)
        for k, t in deltas.items():
            pk = (k.account_id, k.metric, k.dimension, k.hour.date())
            by_partition[pk].append(
                (*pk, k.hour, k.value, flush_id, int(t.count), float(t.revenue), write_ts)
            )
        self._index_days(by_partition)
        batches = []
        for rows in by_partition.values():
            for i in range(0, len(rows), _CELLS_PER_BATCH):
                batch = BatchStatement(batch_type=BatchType.UNLOGGED)
                for row in rows[i : i + _CELLS_PER_BATCH]:
                    batch.add(self._st.insert, row)
                batches.append((batch, None))
        # raise_on_first_error: a failed cell fails the flush, which is retried whole.
        execute_concurrent(
            self._session, batches, concurrency=self.concurrency, raise_on_first_error=True
        )

    def _index_days(self, partitions) -> None:
        """Record the days before their cells (a day without cells reads as empty)."""
        new = [pk for pk in partitions if pk not in self._indexed]
        if new:
            execute_concurrent_with_args(
                self._session, self._st.put_day, new, concurrency=self.concurrency,
                raise_on_first_error=True,
            )
            if len(self._indexed) > 100_000:  # only a cache of rows known to exist
                self._indexed.clear()
            self._indexed.update(new)

    def _days(self, account_id: str, metric: str, dimension: str, start, end) -> list[date]:
        days = _days(start, end)
        if len(days) <= _DIRECT_READ_DAYS:
            return days
        rows = self._session.execute(
            self._st.days, (account_id, metric, dimension, days[0], days[-1])
        )
        return [r.day.date() for r in rows]

    def read(
        self, account_id: str, metric: str, dimension: str, start: datetime, end: datetime
    ) -> dict[tuple[str, datetime], Totals]:
        days = self._days(account_id, metric, dimension, start, end)
        if not days:
            return {}
        args = [(account_id, metric, dimension, d, start, end) for d in days]
        results = execute_concurrent_with_args(
            self._session, self._st.select, args, concurrency=self.concurrency,
            raise_on_first_error=True,
        )
        counts: dict[tuple[str, datetime], int] = defaultdict(int)
        revenues: dict[tuple[str, datetime], list[float]] = defaultdict(list)
        for day, (_, rows) in zip(days, results, strict=True):
            flush_cells = 0
            for r in rows:
                counts[(r.value, r.hour)] += r.count
                revenues[(r.value, r.hour)].append(r.revenue)
                flush_cells += r.flush_id != BASE
            if flush_cells > self.compact_after:
                self.compact(account_id, metric, dimension, day)
        return {key: Totals(c, math.fsum(revenues[key])) for key, c in counts.items()}

    def compact(self, account_id: str, metric: str, dimension: str, day: date) -> int:
        """Fold finished flushes of one (account, metric, dimension, day) partition."""
        return compact_partition(self._session, self._st, account_id, metric, dimension, day)

    def close(self) -> None:
        self._cluster.shutdown()


def _days(start: datetime, end: datetime) -> list[date]:
    if end <= start:
        return []
    last = (end - timedelta(microseconds=1)).date()
    first = start.date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
