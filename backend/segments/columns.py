"""The segment column cache: per (account, metric), numpy columns of its stored events
(profile id, time in microseconds, revenue), kept in this process (docs/segments.md).

A metric condition without `where` filters is then a mask over the window and a count or
sum per profile (some 10-50 ms at 1.6M orders) instead of a GROUP BY over the events table.

Staying exact:
- Loaded once, then extended by a watermark over event ids, the live watcher's scheme: rows
  above the highest id seen are appended; every id skipped over (on PostgreSQL a lower id
  can commit after a higher one) is kept as a gap and looked for again until it shows up
  or GRACE has passed. A first load takes ids up to the watermark, gaps left out (they are
  appended when they show up).
- Stored events that change owner (identify merges) or vanish (erasure) are not appended
  rows: backend/store/touches.events_rewritten bumps the account's generation, and an
  account's columns loaded at an older generation are dropped and reloaded on next use.
- Reads go through a connection of the cache's own (a fresh snapshot), under a lock, so two
  threads never interleave a load and an advance of the watermark.

Memory: 24 bytes an event (three 8-byte columns; loaded with a quarter spare, grown by
doubling: 30 to 48 bytes held an event). The whole
cache holds at most MAX_BYTES; the least recently used columns go first, and a metric
bigger than the cap is not cached (its conditions stay SQL).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection, Engine

MAX_BYTES = 1024 * 2**20  # the whole cache, per process
GRACE = 300.0  # seconds a skipped id is looked for (a storing transaction that old ended)
START_LOOKBACK = 10_000  # ids below the top, at start, that may still be committing
BATCH = 100_000  # rows read per query when catching up
DENSE = 16  # bincount when the largest id is at most this many times the rows counted
RETRY_TOO_BIG = 600.0  # seconds before trying again to cache a metric over the cap
EPOCH = datetime(1970, 1, 1)
_US = timedelta(microseconds=1)


def to_us(when: datetime) -> int:
    """A naive UTC datetime as integer microseconds since the epoch (exact)."""
    return (when.replace(tzinfo=None) - EPOCH) // _US


class Columns:
    """One (account, metric): parallel arrays with spare capacity, appended to in place
    (a view taken before an append never sees it)."""

    __slots__ = ("pid", "ts", "rev", "n", "generation")

    def __init__(self, generation: int, pid, ts, rev):
        self.generation = generation
        self.n = 0
        cap = max(1024, len(pid) + len(pid) // 4)  # room to append before a copy
        self.pid = np.empty(cap, np.int64)
        self.ts = np.empty(cap, np.int64)
        self.rev = np.empty(cap, np.float64)
        self.extend(pid, ts, rev)

    def extend(self, pid, ts, rev) -> None:
        k = len(pid)
        if not k:
            return
        if self.n + k > len(self.pid):
            cap = max(2 * len(self.pid), self.n + k)
            for name in ("pid", "ts", "rev"):
                old = getattr(self, name)
                new = np.empty(cap, old.dtype)
                new[: self.n] = old[: self.n]
                setattr(self, name, new)
        self.pid[self.n : self.n + k] = pid
        self.ts[self.n : self.n + k] = ts
        self.rev[self.n : self.n + k] = rev
        self.n += k

    def view(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.pid[: self.n], self.ts[: self.n], self.rev[: self.n]

    @property
    def nbytes(self) -> int:
        return self.pid.nbytes + self.ts.nbytes + self.rev.nbytes


def _ts_expr(dialect: str) -> str:
    # Times as integer microseconds without a Python datetime per row.
    if dialect == "postgresql":
        return "CAST(EXTRACT(EPOCH FROM ts) * 1000000 AS BIGINT)"
    return "ts"  # SQLite keeps 'YYYY-MM-DD HH:MM:SS.ffffff' text: numpy parses it


def _to_arrays(rows: list, dialect: str, first: int):
    """(pid, ts, rev) arrays from rows whose columns from `first` on are pid, ts, revenue."""
    if not rows:
        empty = np.empty(0, np.int64)
        return empty, empty, np.empty(0, np.float64)
    cols = list(zip(*rows, strict=True))
    pid = np.fromiter(cols[first], np.int64, len(rows))
    if dialect == "postgresql":
        ts = np.fromiter(cols[first + 1], np.int64, len(rows))
    else:
        ts = np.array(cols[first + 1], dtype="datetime64[us]").astype(np.int64)
    rev = np.array(cols[first + 2], np.float64)  # None (a missing revenue) becomes NaN
    rev[np.isnan(rev)] = 0.0
    return pid, ts, rev


class Follower:
    """What the live watcher reads the new events from: every row the cache's watermark
    passed since the last take(), as (id, account_id, metric, profile_id, ts, revenue),
    whoever made it advance (the watcher itself or an evaluation in another thread). One read of the new
    rows serves both the watcher and the columns."""

    __slots__ = ("rows", "__weakref__")

    def __init__(self):
        self.rows: list[tuple] = []


class ColumnCache:
    """The columns of one database (one engine), shared by the threads of this process."""

    def __init__(self, engine: Engine, max_bytes: int | None = None, grace: float = GRACE):
        self.engine = engine
        self.max_bytes = MAX_BYTES if max_bytes is None else max_bytes
        self.grace = grace
        self.dialect = engine.dialect.name
        self.lock = threading.RLock()
        self.hi: int | None = None  # highest event id seen
        self.gaps: dict[int, float] = {}  # ids below hi not seen yet -> when noticed
        self.cols: OrderedDict[tuple[str, str], Columns] = OrderedDict()  # LRU order
        self.too_big: dict[tuple[str, str], float] = {}
        self.loads = 0  # first loads and reloads, for tests and the bench
        self.followers: weakref.WeakSet[Follower] = weakref.WeakSet()

    # -- what callers use ----------------------------------------------------------------------
    def view(self, account_id: str, metric: str):
        """(pid, ts_us, revenue) of the account's events of `metric` now stored, or None when
        the metric is not cached (over the cap): its conditions then stay SQL."""
        key = (account_id, metric)
        with self.lock, self.engine.connect() as conn:
            self._advance(conn)
            col = self.cols.get(key)
            if col is None:
                if time.monotonic() - self.too_big.get(key, -RETRY_TOO_BIG) < RETRY_TOO_BIG:
                    return None
                col = self._load(conn, account_id, metric)
                if col is None:
                    return None
            self.cols.move_to_end(key)
            return col.view()

    def follow(self) -> Follower:
        """Start following new rows from the watermark as it is now."""
        with self.lock, self.engine.connect() as conn:
            if self.hi is None or not (self.cols or self.followers):
                self._start(conn)  # an idle watermark may be far behind: from the top
            follower = Follower()
            self.followers.add(follower)
            return follower

    def take(self, follower: Follower) -> list[tuple]:
        """Advance the watermark; the rows `follower` has not taken yet."""
        with self.lock, self.engine.connect() as conn:
            self._advance(conn)
            rows, follower.rows = follower.rows, []
            return rows

    def refresh(self) -> None:
        """Bring every cached column up to date (the watcher calls it once a step)."""
        with self.lock, self.engine.connect() as conn:
            self._advance(conn)

    def nbytes(self) -> int:
        return sum(c.nbytes for c in self.cols.values())

    def sizes(self) -> dict[tuple[str, str], tuple[int, int]]:
        """(events, bytes) per cached (account, metric)."""
        return {k: (c.n, c.nbytes) for k, c in self.cols.items()}

    # -- the watermark -------------------------------------------------------------------------
    def _start(self, conn: Connection) -> None:
        self.hi = conn.execute(text("SELECT max(id) FROM events")).scalar() or 0
        recent = set(
            conn.execute(
                text("SELECT id FROM events WHERE id > :lo"), {"lo": self.hi - START_LOOKBACK}
            ).scalars()
        )
        noticed = time.monotonic()
        lo = max(1, self.hi - START_LOOKBACK)
        self.gaps = {i: noticed for i in range(lo, self.hi) if i not in recent}

    def _advance(self, conn: Connection) -> None:
        if self.hi is None or not (self.cols or self.followers):
            self._start(conn)  # nothing cached, nobody following: nothing to catch up on
            return
        gens = {
            a: g
            for a, g in conn.execute(text("SELECT account_id, generation FROM event_generations"))
        }
        for key in [k for k, c in self.cols.items() if gens.get(k[0], 0) != c.generation]:
            del self.cols[key]  # events changed owner or vanished: reload on next use
        noticed = time.monotonic()
        for g in [g for g, t in self.gaps.items() if noticed - t > self.grace]:
            del self.gaps[g]
        cols = f"id, account_id, metric, profile_id, {_ts_expr(self.dialect)}, revenue"
        if self.gaps:
            q = text(f"SELECT {cols} FROM events WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            )
            found = []
            ids = sorted(self.gaps)
            for i in range(0, len(ids), 5000):
                found += conn.execute(q, {"ids": ids[i : i + 5000]}).all()
            for r in found:
                self.gaps.pop(r[0], None)
            self._append(found)
        mark = "%s" if self.dialect == "postgresql" else "?"
        q = f"SELECT {cols} FROM events WHERE id > {mark} ORDER BY id LIMIT {BATCH}"
        cur = conn.connection.driver_connection.cursor()  # plain tuples: a pass is 20k+ rows
        while True:
            cur.execute(q, (self.hi,))
            rows = cur.fetchall()
            if not rows:
                break
            seen = {r[0] for r in rows}
            top = rows[-1][0]
            for i in range(self.hi + 1, top):
                if i not in seen:
                    self.gaps[i] = noticed
            self.hi = top
            self._append(rows)
            if len(rows) < BATCH:
                break
        cur.close()

    def _append(self, rows: list) -> None:
        for follower in self.followers:
            follower.rows += rows
        by_key: dict[tuple[str, str], list] = {}
        for r in rows:
            if r[3] is not None and (r[1], r[2]) in self.cols:
                by_key.setdefault((r[1], r[2]), []).append(r)
        for key, group in by_key.items():
            self.cols[key].extend(*_to_arrays(group, self.dialect, 3))
        if by_key:
            self._evict()

    # -- loading and the cap -------------------------------------------------------------------
    def _load(self, conn: Connection, account_id: str, metric: str) -> Columns | None:
        key = (account_id, metric)
        gen = (
            conn.execute(
                text("SELECT generation FROM event_generations WHERE account_id = :a"),
                {"a": account_id},
            ).scalar()
            or 0
        )  # read before the rows: a merge committed in between reloads them once more
        # The DB-API cursor straight: plain tuples, no Row objects for a million rows.
        if self.dialect == "postgresql":
            mark, params, named = "%s", (account_id, metric, self.hi), "%s"
        else:
            # The metric as a literal: SQLite then knows a partial index on it (the orders'
            # ix_events_orders) holds every column asked for, and reads the index alone
            # (1.4 s CPU instead of 9 for 1.6M orders: no table row per event).
            mark, params = "?", (account_id, self.hi)
            named = "'" + metric.replace("'", "''") + "'"
        cur = conn.connection.driver_connection.cursor()
        cur.execute(
            f"SELECT id, profile_id, {_ts_expr(self.dialect)}, COALESCE(revenue, 0) "
            f"FROM events WHERE account_id = {mark} AND metric = {named} "
            f"AND profile_id IS NOT NULL AND id <= {mark}",
            params,
        )
        pieces, n = [], 0
        while rows := cur.fetchmany(BATCH):  # in batches: Python rows never pile up
            if self.gaps:  # not committed when the watermark passed them: appended when seen
                rows = [r for r in rows if r[0] not in self.gaps]
            n += len(rows)
            if n * 24 > self.max_bytes:
                break
            pieces.append(_to_arrays(rows, self.dialect, 1))
        cur.close()
        self.loads += 1
        if n * 24 > self.max_bytes:
            self.too_big[key] = time.monotonic()
            return None
        pid, ts, rev = (
            (np.concatenate([p[i] for p in pieces]) for i in range(3))
            if pieces
            else _to_arrays([], self.dialect, 1)
        )
        col = Columns(gen, pid, ts, rev)
        self.cols[key] = col
        self._evict(keep=key)
        return col

    def _evict(self, keep: tuple[str, str] | None = None) -> None:
        total = self.nbytes()
        for key in list(self.cols):
            if total <= self.max_bytes:
                break
            if key != keep:
                total -= self.cols.pop(key).nbytes


_caches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()
enabled = True  # the bench turns it off to time the SQL path


def cache_for(engine: Engine) -> ColumnCache:
    with _caches_lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = _caches[engine] = ColumnCache(engine)
        return cache


def aggregate(view, lo: int | None, hi: int | None, revenue: bool):
    """Profile ids with events in [lo, hi) microseconds, and their count or revenue."""
    pid, ts, rev = view
    mask = None
    if lo is not None:
        mask = ts >= lo
    if hi is not None:
        mask = ts < hi if mask is None else mask & (ts < hi)
    p = pid if mask is None else pid[mask]
    r = None if not revenue else (rev if mask is None else rev[mask])
    top = int(p.max()) if len(p) else 0
    if top <= DENSE * (len(p) + 1):
        # Ids dense enough: a count per id by bincount (a few ms) instead of a sort.
        counts = np.bincount(p)
        ids = np.flatnonzero(counts)
        return ids, (np.bincount(p, weights=r)[ids] if revenue else counts[ids])
    if not revenue:
        return np.unique(p, return_counts=True)
    ids, inverse = np.unique(p, return_inverse=True)
    return ids, np.bincount(inverse, weights=r)
