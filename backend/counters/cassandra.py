"""CounterStore on Apache Cassandra, exactly once per flush id (design: docs/cassandra.md).

increment(flush_id, deltas):
1. claim the flush in a ledger with a lightweight transaction; the first attempt fixes the
   flush's write timestamp, a retry reads it back; a flush already complete is a no-op;
2. write every delta as an ordinary cell keyed by (partition, hour, value, flush_id) with that
   timestamp: an idempotent upsert, so a retry after a crash or timeout rewrites the same
   cells instead of adding again (counter columns would double count here);
3. mark the flush complete.
read() sums the cells of each (value, hour); compaction (cassandra_compaction.py) folds
complete flushes into one base cell so reads stay short. Each flush also writes, per partition
(UTC day) and value, a day cell (hour DAY_ROW) with the flush's sum for that day, which
read(..., grain="day") sums instead of 24 hours.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime, timedelta

import numpy as np
from cassandra.concurrent import execute_concurrent, execute_concurrent_with_args
from cassandra.query import BatchStatement, BatchType

from backend.counters.base import (
    DAY,
    Cells,
    CounterKey,
    Totals,
    check_deltas,
    check_grain,
    check_ranges,
    check_values,
    select_values,
    to_epoch,
)
from backend.counters.cassandra_compaction import compact_partition, roll_up_partition
from backend.counters.cassandra_schema import BASE, DAY_ROW, Statements, connect, create_schema

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
        check_deltas(deltas)
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
        day_counts: dict[tuple, int] = defaultdict(int)
        day_revenues: dict[tuple, list[float]] = defaultdict(list)
        for k, t in deltas.items():
            pk = (k.account_id, k.metric, k.dimension, k.hour.date())
            by_partition[pk].append(
                (*pk, k.hour, k.value, flush_id, int(t.count), float(t.revenue), write_ts)
            )
            day_counts[(pk, k.value)] += int(t.count)
            day_revenues[(pk, k.value)].append(float(t.revenue))
        # The flush's day cells: the same on every retry (fsum does not depend on the order).
        for (pk, value), count in day_counts.items():
            by_partition[pk].append(
                (
                    *pk,
                    DAY_ROW,
                    value,
                    flush_id,
                    count,
                    math.fsum(day_revenues[(pk, value)]),
                    write_ts,
                )
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
        """Record the days before their cells (a day without cells reads as empty). Only the
        flush whose lightweight transaction creates a day's row marks it `rolled`: the day's
        partition then has no cells from before day cells existed."""
        new = [pk for pk in partitions if pk not in self._indexed]
        if new:
            execute_concurrent_with_args(
                self._session,
                self._st.put_day,
                new,
                concurrency=self.concurrency,
                raise_on_first_error=True,
            )
            if len(self._indexed) > 100_000:  # only a cache of rows known to exist
                self._indexed.clear()
            self._indexed.update(new)

    def _index(self, account_id: str, metric: str, dimension: str, days: list[date]):
        """[(day, rolled)] of the days in `days` that hold cells."""
        rows = self._session.execute(
            self._st.days, (account_id, metric, dimension, days[0], days[-1])
        )
        return [(r.day.date(), bool(r.rolled)) for r in rows]

    def read(
        self,
        account_id: str,
        metric: str,
        dimension: str,
        start: datetime,
        end: datetime,
        grain: str = "hour",
        values: Collection[str] | None = None,
    ) -> Cells:
        """values (see base.py) filter what was read: CQL cannot restrict `value` under a
        range of hours, and a dimension's sum is added up from its every value, which the
        partitions read hold anyway (no stored sums, so no migration of existing data)."""
        check_grain(grain, start, end)
        check_values(values)
        days = _days(start, end)
        if not days:
            return Cells.empty()
        if grain == "day":
            return select_values(
                self._read_days(account_id, metric, dimension, days), dimension, values
            )
        return self._read_hours(account_id, metric, dimension, [(start, end)], values)

    def read_ranges(
        self,
        account_id: str,
        metric: str,
        dimension: str,
        ranges: Sequence[tuple[datetime, datetime]],
        values: Collection[str] | None = None,
    ) -> Cells:
        """Every (range, day) is one partition read, all of them run concurrently."""
        check_ranges(ranges)
        check_values(values)
        return self._read_hours(account_id, metric, dimension, ranges, values)

    def _read_hours(
        self,
        account_id: str,
        metric: str,
        dimension: str,
        ranges: Sequence[tuple[datetime, datetime]],
        values: Collection[str] | None,
    ) -> Cells:
        parts = [
            (d, max(lo, _midnight(d)), min(hi, _midnight(d) + DAY))
            for lo, hi in ranges
            for d in _days(lo, hi)
        ]
        if not parts:
            return Cells.empty()
        days = sorted({p[0] for p in parts})
        if len(days) > _DIRECT_READ_DAYS:
            held = {d for d, _ in self._index(account_id, metric, dimension, days)}
            parts = [p for p in parts if p[0] in held]
        # Each partition's bounds stay inside its own day, so its day cells never show here.
        statements = [
            (self._st.select, (account_id, metric, dimension, d, lo, hi)) for d, lo, hi in parts
        ]
        sums = _Sums()
        flush_cells: dict[date, int] = defaultdict(int)
        for (day, _, _), rows in zip(parts, self._run(statements), strict=True):
            for r in rows:
                sums.add(r.value, r.hour, r.count, r.revenue)
                flush_cells[day] += r.flush_id != BASE
        for day, n in flush_cells.items():
            if n > self.compact_after:
                self.compact(account_id, metric, dimension, day)
        return select_values(sums.totals(), dimension, values)

    def _read_days(self, account_id: str, metric: str, dimension: str, days: list[date]):
        """Day cells of the days rolled up; hour cells of the others, which are then rolled up
        once (days written before day cells existed, see docs/cassandra.md)."""
        index = self._index(account_id, metric, dimension, days)
        pk = (account_id, metric, dimension)
        statements = [
            (self._st.select_day, (*pk, d, DAY_ROW))
            if rolled
            else (self._st.select, (*pk, d, _midnight(d), _midnight(d) + DAY))
            for d, rolled in index
        ]
        sums = _Sums()
        for (day, rolled), rows in zip(index, self._run(statements), strict=True):
            midnight, flush_cells = _midnight(day), 0
            for r in rows:
                sums.add(r.value, midnight, r.count, r.revenue)
                flush_cells += r.flush_id != BASE
            if rolled and flush_cells > self.compact_after:
                self.compact(account_id, metric, dimension, day)
        for day, rolled in index:
            if not rolled:
                self.roll_up(account_id, metric, dimension, day)
        return sums.totals()

    def _run(self, statements: list[tuple]) -> list:
        results = execute_concurrent(
            self._session, statements, concurrency=self.concurrency, raise_on_first_error=True
        )
        return [rows for _, rows in results]

    def compact(self, account_id: str, metric: str, dimension: str, day: date) -> int:
        """Fold finished flushes of one (account, metric, dimension, day) partition."""
        return compact_partition(self._session, self._st, account_id, metric, dimension, day)

    def roll_up(self, account_id: str, metric: str, dimension: str, day: date) -> bool:
        """Give a partition from before day cells existed its day cells (True once done)."""
        return roll_up_partition(self._session, self._st, account_id, metric, dimension, day)

    def close(self) -> None:
        self._cluster.shutdown()


class _Sums:
    """count (int) and revenue (math.fsum, exact whatever the order) per (value, hour)."""

    def __init__(self):
        self.counts: dict[tuple[str, datetime], int] = defaultdict(int)
        self.revenues: dict[tuple[str, datetime], list[float]] = defaultdict(list)

    def add(self, value: str, hour: datetime, count: int, revenue: float) -> None:
        self.counts[(value, hour)] += count
        self.revenues[(value, hour)].append(revenue)

    def totals(self) -> Cells:
        slots: dict[str, int] = {}
        epochs: dict[datetime, int] = {}
        for value, hour in self.counts:
            slots.setdefault(value, len(slots))
            if hour not in epochs:
                epochs[hour] = to_epoch(hour)
        n, keys = len(self.counts), list(self.counts)
        return Cells(
            list(slots),
            np.fromiter((slots[v] for v, _ in keys), np.int64, n),
            np.fromiter((epochs[h] for _, h in keys), np.int64, n),
            np.fromiter(self.counts.values(), np.int64, n),
            np.fromiter((math.fsum(self.revenues[k]) for k in keys), np.float64, n),
        )


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _days(start: datetime, end: datetime) -> list[date]:
    if end <= start:
        return []
    last = (end - timedelta(microseconds=1)).date()
    first = start.date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
