"""Counting ahead of storing (SQLite stores): a stage that counts spooled messages before the
aggregator stores them, in a process of its own.

Why: storing a message (raw event, its indexes, the profile) costs about 20 us of one core,
counting it about 8 (bench/fold_floor.py); one SQLite writer cannot store 100k events/s on
this hardware, but it can count them. Dashboards read the counters, so they stay live through
a burst while timelines and profiles follow behind (docs/ingestion.md, "Counting ahead").

Exactly once, as in the single-stage pass:
- A message is counted when its (account, messageId) is neither stored (an event: the store's
  dedup record), nor pending (counted, not yet stored), nor earlier in the pass.
- Pending messages are those of the records between each segment's store offset and its
  counting offset. They are held in memory and rebuilt from the spool after a restart: a
  segment is deleted only once it is stored, so those records are still there.
- The store's offsets are read before events are looked up; events and offsets commit
  together, so a record below them is stored and dropping its messages from the pending set
  opens no gap.
- A pass commits its counting offsets and its counter deltas (a ledger row) in one
  transaction of a small SQLite file beside the spool (its own file: the store's write lock
  is held for seconds by a storing pass), then increments the counter store under the row's
  id (idempotent per id), then deletes the row. Rows left by a crash are replayed first.
- The aggregator never stores beyond the counting offsets (Aggregator's `cap`).

What it reads of a /v1 record: the sums its request worker made (backend/ingest/summary.py),
added whole when every id of the record is new; otherwise, and for records without sums, the
messages themselves.

Only for SQLite: it is one machine's store, so one counting process sees every pending
message. PostgreSQL may be shared by several machines' spools, each with its own pending
set; there counting stays in the storing transaction.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import uuid
from collections import defaultdict, deque
from pathlib import Path
from typing import NamedTuple

import orjson
from sqlalchemy import select

from backend.counters.base import CounterKey, CounterStore, Totals
from backend.ingest import records as spool_records
from backend.ingest import spool
from backend.ingest.aggregate import deltas_from_json, deltas_to_json, exclusively
from backend.ingest.dedup import stored_message_ids
from backend.ingest.errors import InvalidMessage, TooLarge
from backend.ingest.fold import dimensions_of
from backend.ingest.summary import Groups, add_alike, count_groups, merge
from backend.store.db import Database
from backend.store.models import Account, SpoolOffset

STATE_FILE = "counted.sqlite3"


class CountState:
    """The counting stage's durable state: its offset in each segment and its ledger of
    counter deltas not yet known to be applied. One connection per instance and process."""

    def __init__(self, spool_dir: Path):
        self.path = Path(spool_dir) / STATE_FILE
        self._con: sqlite3.Connection | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def _db(self) -> sqlite3.Connection:
        if self._con is None or self._pid != os.getpid():
            con = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            con.execute("PRAGMA journal_mode=WAL")
            # FULL: a pass acts on its commit (it applies the counts, the aggregator stores up
            # to these offsets), so the commit must survive a power cut (docs/ingestion.md).
            con.execute("PRAGMA synchronous=FULL")
            con.execute(
                "CREATE TABLE IF NOT EXISTS count_offsets "
                "(segment TEXT PRIMARY KEY, offset INTEGER NOT NULL)"
            )
            con.execute(
                "CREATE TABLE IF NOT EXISTS count_ledger "
                "(id TEXT PRIMARY KEY, deltas BLOB NOT NULL, created REAL NOT NULL)"
            )
            self._con, self._pid = con, os.getpid()
        return self._con

    def offsets(self) -> dict[str, int]:
        with self._lock:
            return dict(self._db().execute("SELECT segment, offset FROM count_offsets"))

    def ledger(self) -> list[tuple[str, list]]:
        with self._lock:
            rows = self._db().execute("SELECT id, deltas FROM count_ledger ORDER BY created")
            return [(fid, orjson.loads(d)) for fid, d in rows]

    def commit(self, ends: dict[str, int], flush_id: str, deltas: list) -> None:
        """Advance the offsets and record the pass's deltas (if any), atomically."""
        with self._lock:
            con = self._db()
            con.execute("BEGIN IMMEDIATE")
            try:
                con.executemany(
                    "INSERT INTO count_offsets (segment, offset) VALUES (?, ?) "
                    "ON CONFLICT (segment) DO UPDATE SET offset = excluded.offset",
                    list(ends.items()),
                )
                if deltas:
                    con.execute(
                        "INSERT INTO count_ledger (id, deltas, created) VALUES (?, ?, ?)",
                        (flush_id, orjson.dumps(deltas), time.time()),
                    )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def drop_ledger(self, flush_id: str) -> None:
        with self._lock:
            self._db().execute("DELETE FROM count_ledger WHERE id = ?", (flush_id,))

    def forget(self, segments: set[str]) -> None:
        """Drop the offsets of segments that are gone (stored, then deleted)."""
        if segments:
            with self._lock:
                self._db().executemany(
                    "DELETE FROM count_offsets WHERE segment = ?", [(name,) for name in segments]
                )

    def close(self) -> None:
        with self._lock:
            if self._con is not None and self._pid == os.getpid():
                self._con.close()
            self._con = None


class CountingStage:
    def __init__(
        self,
        db: Database,
        counters: CounterStore,
        spool_dir: Path,
        max_messages: int = 200_000,
        max_ahead: int = 1_000_000,
        read_bytes: int = 16 * 1024 * 1024,
    ):
        self.db = db
        self.counters = counters
        self.dir = Path(spool_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.state = CountState(self.dir)
        self.max_messages = max_messages
        # How far counting may run ahead of storing, in messages: bounds the pending set's
        # memory (~150 bytes a message) and the spool read again after a restart.
        self.max_ahead = max_ahead
        self.read_bytes = read_bytes
        self._thread_lock = threading.Lock()
        self._lock_path = self.dir / "counting.lock"
        self._pending: dict[str, set[str]] = {}  # account -> messageIds counted, not stored
        # segment -> (record end, account, its messageIds), in spool order: what _pending holds
        self._windows: dict[str, deque[tuple[int, str, list[str]]]] = {}
        self._trusted: dict[str, int] | None = None  # the counting offsets _pending reflects

    def run_pass(self, blocking: bool = True) -> int:
        """Count one batch of spooled messages; returns how many were read (0: idle, busy,
        or as far ahead of storing as allowed)."""
        return exclusively(self._thread_lock, self._lock_path, blocking, self._pass)

    def _pass(self) -> int:
        for flush_id, rows in self.state.ledger():  # left by a crash: apply, then drop
            self.counters.increment(flush_id, deltas_from_json(rows))
            self.state.drop_ledger(flush_id)
        # Before any event is looked up (see the module's docstring).
        with self.db.session() as s:
            stored = dict(s.execute(select(SpoolOffset.segment, SpoolOffset.offset)).all())
        counted = self.state.offsets()
        segs = spool.segments(self.dir)
        names = {seg.name for seg in segs}
        start = {seg.name: max(counted.get(seg.name, 0), stored.get(seg.name, 0)) for seg in segs}
        if self._trusted != counted:
            self._rebuild(segs, stored, start)
        else:
            self._trim(stored, names)
        n_msgs = 0
        held = sum(len(ids) for window in self._windows.values() for _end, _a, ids in window)
        budget = min(self.max_messages, self.max_ahead - held)
        if budget > 0:
            read, ends, n_msgs = self._read(segs, start, budget)
            if read:
                self._count(read, ends)
                counted = {**counted, **ends}
        gone = set(counted) - names
        self.state.forget(gone)
        self._trusted = {k: v for k, v in counted.items() if k not in gone}
        return n_msgs

    def _count(self, read: list[_Record], ends: dict[str, int]) -> None:
        by_account: dict[str, list[_Record]] = defaultdict(list)
        for rec in read:
            by_account[rec.account].append(rec)
        deltas: dict[tuple, list] = {}
        hours: dict = {}
        with self.db.session() as s:
            for account_id, recs in by_account.items():
                account = s.get(Account, account_id) if account_id else None
                if account is None:  # deleted since (the aggregator drops these too)
                    continue
                dims = dimensions_of(account)
                groups: Groups = {}
                _new_in(s, account_id, dims, recs, self._pending.get(account_id, ()), groups)
                count_groups(deltas, hours, account_id, dims, groups)
        frozen = {CounterKey(*k): Totals(v[0], v[1]) for k, v in deltas.items()}
        flush_id = uuid.uuid4().hex
        self.state.commit(ends, flush_id, deltas_to_json(frozen))
        for rec in read:
            self._remember(rec.seg, rec.end, rec.account, rec.ids)
        if frozen:
            self.counters.increment(flush_id, frozen)
            self.state.drop_ledger(flush_id)

    def _remember(self, seg: str, end: int, account_id: str, ids: list[str]) -> None:
        self._windows.setdefault(seg, deque()).append((end, account_id, ids))
        self._pending.setdefault(account_id, set()).update(ids)

    def _trim(self, stored: dict[str, int], names: set[str]) -> None:
        """Forget pending messages the store has stored since."""
        for seg in list(self._windows):
            window = self._windows[seg]
            below = stored.get(seg, 0) if seg in names else float("inf")  # gone: all stored
            while window and window[0][0] <= below:
                _end, account_id, ids = window.popleft()
                self._pending[account_id].difference_update(ids)
            if not window:
                del self._windows[seg]

    def _rebuild(self, segs: list[Path], stored: dict[str, int], start: dict[str, int]) -> None:
        """The pending set from the spool: every message between the store's offset and the
        counting offset of each segment (after a restart, or a state this process did not
        write)."""
        self._pending, self._windows = {}, {}
        for seg in segs:
            lo, hi = stored.get(seg.name, 0), start[seg.name]
            while lo < hi:
                got = False
                for payload, end in self._records(seg, lo):
                    if end > hi:
                        break
                    rec = _read_record(seg.name, end, payload)
                    self._remember(seg.name, end, rec.account, rec.ids)
                    lo, got = end, True
                if not got:
                    break

    def _records(self, seg: Path, offset: int):
        try:
            yield from spool.read_records(seg, offset, self.read_bytes)
        except FileNotFoundError:  # stored and deleted meanwhile
            return

    def _read(
        self, segs: list[Path], start: dict[str, int], budget: int
    ) -> tuple[list[_Record], dict[str, int], int]:
        read: list[_Record] = []
        ends: dict[str, int] = {}
        n_msgs = 0
        for seg in segs:
            for payload, end in self._records(seg, start[seg.name]):
                rec = _read_record(seg.name, end, payload)
                read.append(rec)
                ends[seg.name] = end
                n_msgs += len(rec.ids)
                if n_msgs >= budget:
                    return read, ends, n_msgs
        return read, ends, n_msgs

    def close(self) -> None:
        self.state.close()


class _Record(NamedTuple):
    """A spooled record as counting reads it: its ids, and its summary (or its messages)."""

    seg: str
    end: int
    account: str
    ids: list[str]
    summary: dict | None  # backend/ingest/summary.py; None: `msgs` holds its messages
    msgs: list[dict] | None
    payload: bytes


def _read_record(seg: str, end: int, payload: bytes) -> _Record:
    """A record's ids and summary; its messages only if it has no summary. A record that no
    longer validates has none (the aggregator keeps it aside and stores none of it)."""
    found = spool_records.summary_of(payload)
    if found is not None:
        account_id, summary = found
        return _Record(seg, end, account_id, summary["i"], summary, None, payload)
    account_id, msgs = _decode(payload)
    return _Record(seg, end, account_id, [m["id"] for m in msgs], None, msgs, payload)


def _new_in(
    s, account_id: str, dims: list[str], recs: list[_Record], pending, groups: Groups
) -> None:
    """Sum into `groups` the account's messages of `recs` that are new: neither pending,
    nor stored, nor earlier in the pass. A record whose messages are all new and whose
    summary was made with `dims` adds its summary; any other is read message by message."""
    unique = {mid: None for rec in recs for mid in rec.ids if mid not in pending}
    stored = stored_message_ids(s, account_id, list(unique))
    claimed: set[str] = set()
    for rec in recs:
        ids, summary = rec.ids, rec.summary
        if (
            summary is not None
            and summary["d"] == dims
            and len(set(ids)) == len(ids)
            and not any(mid in pending or mid in stored or mid in claimed for mid in ids)
        ):
            merge(groups, summary)
            claimed.update(ids)
            continue
        msgs = rec.msgs if rec.msgs is not None else _decode(rec.payload)[1]
        new = []
        for m in msgs:
            mid = m["id"]
            if mid not in pending and mid not in stored and mid not in claimed:
                claimed.add(mid)
                new.append(m)
        add_alike(groups, dims, new)


def _decode(payload: bytes) -> tuple[str, list[dict]]:
    """A record's messages; none for one that no longer validates (the aggregator keeps it
    aside in the quarantine and stores none of it)."""
    try:
        return spool_records.decode_counted(payload)
    except (InvalidMessage, TooLarge):
        return "", []
