"""Embedded counter store: one SQLite file in WAL mode beside the relational store.

A flush is one transaction: its id goes into `applied_flushes` and every delta is an upsert,
so a flush applied twice (after a crash before its acknowledgement) is a no-op.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path

from backend.counters.base import CounterKey, Totals

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

_UPSERT = """
INSERT INTO counters (account_id, metric, dimension, value, hour, count, revenue)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (account_id, metric, dimension, hour, value)
DO UPDATE SET count = count + excluded.count, revenue = revenue + excluded.revenue
"""

_EPOCH = datetime(1970, 1, 1)


def _epoch(hour: datetime) -> int:
    return int((hour - _EPOCH).total_seconds())


def _from_epoch(seconds: int) -> datetime:
    return _EPOCH + timedelta(seconds=seconds)


class SqliteCounterStore:
    """CounterStore on SQLite. Thread-safe: one connection per thread."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._conn() as conn:
            conn.executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def increment(self, flush_id: str, deltas: Mapping[CounterKey, Totals]) -> None:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            cur = conn.execute(
                "INSERT OR IGNORE INTO applied_flushes VALUES (?, strftime('%s','now'))",
                (flush_id,),
            )
            if cur.rowcount == 1:  # first time we see this flush
                conn.executemany(
                    _UPSERT,
                    [
                        (
                            k.account_id,
                            k.metric,
                            k.dimension,
                            k.value,
                            _epoch(k.hour),
                            t.count,
                            t.revenue,
                        )
                        for k, t in deltas.items()
                    ],
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def read(
        self, account_id: str, metric: str, dimension: str, start: datetime, end: datetime
    ) -> dict[tuple[str, datetime], Totals]:
        rows = self._conn().execute(
            "SELECT value, hour, count, revenue FROM counters WHERE account_id=? AND metric=? "
            "AND dimension=? AND hour>=? AND hour<?",
            (account_id, metric, dimension, _epoch(start), _epoch(end)),
        )
        hours: dict[int, datetime] = {}  # a read sees few distinct hours: convert each once
        out = {}
        for v, h, c, r in rows:
            hour = hours.get(h)
            if hour is None:
                hour = hours[h] = _from_epoch(h)
            out[(v, hour)] = Totals(c, r)
        return out

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
