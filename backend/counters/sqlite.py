"""Embedded counter store: one SQLite file in WAL mode beside the relational store.

A flush is one transaction: its id goes into `applied_flushes` and every delta is an upsert,
so a flush applied twice (after a crash before its acknowledgement) is a no-op. The same
transaction adds the flush's per-UTC-day sums to `day_counters` (the roll-up behind
read(..., grain="day")), so hour and day cells never disagree.

Stores created before the roll-up existed get `day_counters` on first open, filled from their
hour cells in the transaction that creates it (`_add_day_counters`).
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import numpy as np

from backend.counters.base import Cells, CounterKey, Totals, check_grain, to_epoch

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

_SELECT = {
    "hour": "SELECT value, hour, count, revenue FROM counters WHERE account_id=? AND metric=? "
            "AND dimension=? AND hour>=? AND hour<?",
    "day": "SELECT value, day, count, revenue FROM day_counters WHERE account_id=? AND "
           "metric=? AND dimension=? AND day>=? AND day<?",
}

_CHUNK = 500  # rows fetched at a time by read()


def _add_day_counters(conn: sqlite3.Connection) -> None:
    """Create and fill day_counters once, in one write transaction: a concurrent opener waits
    for it and then finds the table; no flush can land between the fill and the table."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='day_counters'"
        ).fetchone()
        if not exists:
            conn.execute(_DAY_TABLE)
            conn.execute(_BACKFILL)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


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
        _add_day_counters(self._conn())

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def increment(self, flush_id: str, deltas: Mapping[CounterKey, Totals]) -> None:
        rows = [
            (k.account_id, k.metric, k.dimension, k.value, to_epoch(k.hour), t.count, t.revenue)
            for k, t in deltas.items()
        ]
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
        self, account_id: str, metric: str, dimension: str, start: datetime, end: datetime,
        grain: str = "hour",
    ) -> Cells:
        check_grain(grain, start, end)
        cursor = self._conn().execute(
            _SELECT[grain], (account_id, metric, dimension, to_epoch(start), to_epoch(end))
        )
        # In chunks smaller than the garbage collector's first threshold (700 new objects),
        # each freed before the next: a list of every row would live long enough to set off
        # full collections, which were most of the time of large reads.
        values: list[str] = []
        epochs, counts, revenue = [], [], []
        while chunk := cursor.fetchmany(_CHUNK):
            v, e, c, r = zip(*chunk, strict=True)
            values += v
            epochs.append(np.array(e, np.int64))
            counts.append(np.array(c, np.int64))
            revenue.append(np.array(r, np.float64))
        if not values:
            return Cells.empty()
        slots = {v: i for i, v in enumerate(dict.fromkeys(values))}
        index = np.fromiter(map(slots.__getitem__, values), np.int64, len(values))
        return Cells(list(slots), index, np.concatenate(epochs), np.concatenate(counts),
                     np.concatenate(revenue))

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
