"""Embedded counter store: one SQLite file in WAL mode beside the relational store.

A flush is one transaction: its id goes into `applied_flushes` and every delta is an upsert,
so a flush applied twice (after a crash before its acknowledgement) is a no-op. The same
transaction adds the flush's per-UTC-day sums to `day_counters` (the roll-up behind
read(..., grain="day")), so hour and day cells never disagree.

Under each dimension the flush also adds, per hour and per day, the sum over the dimension's
values as value "" (ALL_VALUES, see base.py), so a series by a dimension reads its top values
and that sum instead of every value's cells (a 30-day hourly query by country: ~9k cells
instead of ~27k; Python's sqlite3 spends ~0.6 us per row, most of such a query's time).

Stores created before the roll-ups existed get them on first open, filled from their hour
cells in one write transaction (`_migrate`; PRAGMA user_version tells which are in).
"""

from __future__ import annotations

import gc
import json
import math
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from pathlib import Path

import numpy as np

from backend.counters.base import (
    Cells,
    CounterKey,
    Totals,
    check_deltas,
    check_grain,
    check_ranges,
    check_values,
    to_epoch,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    account_id TEXT NOT NULL,
    metric     TEXT NOT NULL,
    dimension  TEXT NOT NULL,
    value      TEXT NOT NULL,
    hour       INTEGER NOT NULL,          -- epoch seconds, UTC, on the hour
    count      INTEGER NOT NULL DEFAULT 0,
    revenue    REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, metric, dimension, hour, value)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS applied_flushes (
    flush_id   TEXT PRIMARY KEY,
    applied_at INTEGER NOT NULL
) WITHOUT ROWID;
"""

_DAY_TABLE = """
CREATE TABLE day_counters (
    account_id TEXT NOT NULL,
    metric     TEXT NOT NULL,
    dimension  TEXT NOT NULL,
    value      TEXT NOT NULL,
    day        INTEGER NOT NULL,          -- epoch seconds, UTC midnight
    count      INTEGER NOT NULL DEFAULT 0,
    revenue    REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, metric, dimension, day, value)
) WITHOUT ROWID
"""

_BACKFILL = """
INSERT INTO day_counters (account_id, metric, dimension, value, day, count, revenue)
SELECT account_id, metric, dimension, value, hour - hour % 86400, sum(count), sum(revenue)
FROM counters GROUP BY account_id, metric, dimension, hour - hour % 86400, value
"""

_UPSERT = """
INSERT INTO counters (account_id, metric, dimension, value, hour, count, revenue)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (account_id, metric, dimension, hour, value)
DO UPDATE SET count = count + excluded.count, revenue = revenue + excluded.revenue
"""

_UPSERT_DAY = """
INSERT INTO day_counters (account_id, metric, dimension, value, day, count, revenue)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (account_id, metric, dimension, day, value)
DO UPDATE SET count = count + excluded.count, revenue = revenue + excluded.revenue
"""

# The sums over each dimension's values, per hour and per day, from the cells in store.
_BACKFILL_SUMS = [
    f"""
INSERT INTO {table} (account_id, metric, dimension, value, {col}, count, revenue)
SELECT account_id, metric, dimension, '', {col}, sum(count), sum(revenue)
FROM {table} WHERE dimension <> '' GROUP BY account_id, metric, dimension, {col}
"""
    for table, col in (("counters", "hour"), ("day_counters", "day"))
]

_SELECT = {
    "hour": "SELECT value, hour, count, revenue FROM counters WHERE account_id=? AND "
    "metric=? AND dimension=? AND hour>=? AND hour<?",
    "day": "SELECT value, day, count, revenue FROM day_counters WHERE account_id=? AND "
    "metric=? AND dimension=? AND day>=? AND day<?",
}
_SELECT_HOURS = (
    "SELECT value, hour, count, revenue FROM counters WHERE account_id=? AND "
    "metric=? AND dimension=? AND hour IN (SELECT value FROM json_each(?))"
)
# values=None under a dimension: every value but the sum
_NOT_SUM = " AND value <> ''"

SCHEMA_VERSION = 1  # PRAGMA user_version: 1 = day roll-ups and dimension sums are in


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring a store up to SCHEMA_VERSION in one write transaction: create and fill
    day_counters if missing, then the dimension sums. A concurrent opener waits for it and
    then finds it done; no flush can land between a fill and its version."""
    if conn.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            exists = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='day_counters'"
            ).fetchone()
            if not exists:
                conn.execute(_DAY_TABLE)
                conn.execute(_BACKFILL)
            for sql in _BACKFILL_SUMS:
                conn.execute(sql)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _with_sums(rows: list[tuple]) -> list[tuple]:
    """Hour upsert rows plus, per (account, metric, dimension, hour) under a dimension, the
    flush's sum over the dimension's values (value "")."""
    counts: dict[tuple, int] = defaultdict(int)
    revenues: dict[tuple, list[float]] = defaultdict(list)
    for a, m, d, _, h, c, r in rows:
        if d:
            key = (a, m, d, "", h)
            counts[key] += c
            revenues[key].append(r)
    return rows + [(*key, c, math.fsum(revenues[key])) for key, c in counts.items()]


def _day_rows(rows: list[tuple]) -> list[tuple]:
    """Hour upsert rows -> the same flush's sums per (account, metric, dimension, value, day)."""
    counts: dict[tuple, int] = defaultdict(int)
    revenues: dict[tuple, list[float]] = defaultdict(list)
    for a, m, d, v, h, c, r in rows:
        key = (a, m, d, v, h - h % 86400)
        counts[key] += c
        revenues[key].append(r)
    return [(*key, c, math.fsum(revenues[key])) for key, c in counts.items()]


class SqliteCounterStore:
    """CounterStore on SQLite. Thread-safe: one connection per thread."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._conn() as conn:
            conn.executescript(_SCHEMA)
        _migrate(self._conn())

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            # FULL: the aggregator deletes a flush's ledger row once increment() returns, so
            # the counts must be on disk by then (NORMAL could lose them in a power cut).
            conn.execute("PRAGMA synchronous=FULL")
            self._local.conn = conn
        return conn

    def increment(self, flush_id: str, deltas: Mapping[CounterKey, Totals]) -> None:
        check_deltas(deltas)
        rows = _with_sums(
            [
                (k.account_id, k.metric, k.dimension, k.value, to_epoch(k.hour), t.count, t.revenue)
                for k, t in deltas.items()
            ]
        )
        days = _day_rows(rows)
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            cur = conn.execute(
                "INSERT OR IGNORE INTO applied_flushes VALUES (?, strftime('%s','now'))",
                (flush_id,),
            )
            if cur.rowcount == 1:  # first time we see this flush
                conn.executemany(_UPSERT, rows)
                conn.executemany(_UPSERT_DAY, days)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

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
        check_grain(grain, start, end)
        return self._select(
            _SELECT[grain],
            [account_id, metric, dimension, to_epoch(start), to_epoch(end)],
            dimension,
            values,
        )

    def read_ranges(
        self,
        account_id: str,
        metric: str,
        dimension: str,
        ranges: Sequence[tuple[datetime, datetime]],
        values: Collection[str] | None = None,
    ) -> Cells:
        check_ranges(ranges)
        if len(ranges) == 1:
            return self.read(account_id, metric, dimension, *ranges[0], values=values)
        hours = [h for lo, hi in ranges for h in range(to_epoch(lo), to_epoch(hi), 3600)]
        # One statement, a primary-key lookup per hour listed (json_each: one parameter)
        return self._select(
            _SELECT_HOURS, [account_id, metric, dimension, json.dumps(hours)], dimension, values
        )

    def _select(
        self, sql: str, args: list, dimension: str, values: Collection[str] | None
    ) -> Cells:
        check_values(values)
        if values is not None:
            if not values:
                return Cells.empty()
            wanted = list(dict.fromkeys(values))
            # "+value": a filter on the hours' cells, not a lookup per (hour, value): scanning
            # an hour's few dozen values is cheaper than seeking each (7 vs 10 ms, Kolkata)
            sql += f" AND +value IN ({', '.join('?' * len(wanted))})"
            args += wanted
        elif dimension:
            sql += _NOT_SUM
        # The collector paused: the rows of a large read would live long enough to set off
        # full collections, which were most of the time of such reads.
        paused = gc.isenabled()
        gc.disable()
        try:
            rows = self._conn().execute(sql, args).fetchall()
            if not rows:
                return Cells.empty()
            found, epochs, counts, revenue = zip(*rows, strict=True)
            del rows
            slots = {v: i for i, v in enumerate(dict.fromkeys(found))}
            index = np.fromiter(map(slots.__getitem__, found), np.int64, len(found))
            return Cells(
                list(slots),
                index,
                np.array(epochs, np.int64),
                np.array(counts, np.int64),
                np.array(revenue, np.float64),
            )
        finally:
            if paused:
                gc.enable()

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
