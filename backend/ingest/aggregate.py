"""The aggregator: folds spooled messages into events, profiles, metrics and counters.

Exactly once, across crashes at any point (docs/ingestion.md):
1. One relational transaction inserts the new events (each unique per (account, messageId):
   the dedup record, backend/store/dedup.py), updates profiles and metrics, advances the
   spool offsets and writes the pass's pre-aggregated counter deltas to a ledger row
   (PendingFlush).
2. The deltas go to the counter store under the ledger row's id; increment() is
   idempotent per flush id, so replaying a flush after a crash cannot count twice.
3. The ledger row is deleted. Rows left by a crash are replayed first on the next pass.
On SQLite a counting stage counts ahead (backend/ingest/counting.py): the aggregator is then
built with count=False and stores only, never beyond what is counted (its `cap`).
A pass runs under an exclusive file lock: one aggregator at a time across all workers.
While a pass commits, the next pass's records are read (read-only; used only if the
committed offsets are still the ones they were read from).
"""

from __future__ import annotations

import fcntl
import gc
import logging
import os
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, select

from backend.counters.base import CounterKey, CounterStore, Totals
from backend.ingest import records as spool_records
from backend.ingest import spool
from backend.ingest.errors import InvalidMessage, TooLarge
from backend.ingest.fold import fold_account
from backend.store.db import Database, planned_afresh
from backend.store.models import PendingFlush, SpoolOffset

log = logging.getLogger("tally.ingest")
_EPOCH = datetime(1970, 1, 1)


def deltas_to_json(deltas: dict[CounterKey, Totals]) -> list:
    return [
        [
            k.account_id,
            k.metric,
            k.dimension,
            k.value,
            int((k.hour - _EPOCH).total_seconds()),
            t.count,
            t.revenue,
        ]
        for k, t in deltas.items()
    ]


def deltas_from_json(rows: list) -> dict[CounterKey, Totals]:
    return {
        CounterKey(a, m, d, v, datetime.fromtimestamp(h, UTC).replace(tzinfo=None)): Totals(c, r)
        for a, m, d, v, h, c, r in rows
    }


def exclusively(
    thread_lock: threading.Lock, lock_path: Path, blocking: bool, pass_: Callable[[], int]
) -> int:
    """Run one pass under a thread lock and an exclusive flock on `lock_path` (one pass at a
    time across processes); 0 if busy and not `blocking`.

    The cyclic garbage collector is paused meanwhile: a pass allocates some ten objects per
    message, and the collector re-scanned them all over and over (about an eighth of a pass:
    bench/ingest.py). What a pass leaves is collected after it."""
    if not thread_lock.acquire(blocking=blocking):
        return 0
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o640)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                return 0
            was_enabled = gc.isenabled()
            gc.disable()
            try:
                return pass_()
            finally:
                if was_enabled:
                    gc.enable()
        finally:
            os.close(fd)  # closing releases the flock
    finally:
        thread_lock.release()


class Aggregator:
    def __init__(
        self,
        db: Database,
        counters: CounterStore,
        spool_dir: Path,
        max_messages: int = 200_000,
        read_bytes: int = 16 * 1024 * 1024,
        hooks: tuple = (),
        count: bool = True,
        cap: Callable[[], dict[str, int]] | None = None,
    ):
        self.db = db
        # count=False: a counting stage counts ahead (backend/ingest/counting.py); this pass
        # stores only, never beyond the offsets `cap()` gives (what has been counted).
        self.count = count
        self.cap = cap
        self.hooks = hooks  # called as hook(session, account_id, new_event_rows, now)
        self.counters = counters
        self.dir = Path(spool_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        # Only a backlog fills a pass. Large passes then amortise the index pages a pass
        # rewrites at random (dedup key, profiles): 1.3-1.4x against 50k after 1.1M stored
        # events (bench/fold_scale.py --pass-size); 500k gained no more and held more memory.
        self.max_messages = max_messages
        self.read_bytes = read_bytes
        self._thread_lock = threading.Lock()
        self._lock_path = self.dir / "aggregator.lock"
        # (committed offsets, segments, what _read gave from them): the next pass's records,
        # read while this pass committed
        self._ahead: tuple | None = None

    def run_pass(self, blocking: bool = True) -> int:
        """Fold one batch of spooled messages; returns how many were read (0: idle or busy)."""
        return exclusively(self._thread_lock, self._lock_path, blocking, self._pass)

    def _replay_pending(self) -> None:
        with self.db.session() as s:
            pending = list(s.scalars(select(PendingFlush).order_by(PendingFlush.created_at)))
        for row in pending:
            self.counters.increment(row.id, deltas_from_json(row.deltas))
            with self.db.session() as s:
                s.execute(delete(PendingFlush).where(PendingFlush.id == row.id))

    def _pass(self) -> int:
        self._replay_pending()
        with self.db.session() as s:
            offsets = {o.segment: o.offset for o in s.scalars(select(SpoolOffset))}
        segs = spool.segments(self.dir)
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == offsets and ahead[1] == segs:
            records, ends, n_msgs = ahead[2]  # read while the previous pass committed
        else:
            records, ends, n_msgs = self._read(segs, offsets, self._limits())
        if records:
            self._commit(records, ends, offsets, segs)
        self._cleanup(segs, {**offsets, **ends})
        return n_msgs

    def _limits(self) -> dict[str, int] | None:
        return self.cap() if self.cap is not None else None

    def _read(
        self, segs: list[Path], offsets: dict[str, int], limits: dict[str, int] | None
    ) -> tuple[list, dict, int]:
        """Up to max_messages of records from the committed offsets on (and no further than
        `limits`, when given), parsed."""
        records: list[dict] = []
        ends: dict[str, int] = {}
        n_msgs = 0
        for seg in segs:
            start = offsets.get(seg.name, 0)
            limit = limits.get(seg.name, 0) if limits is not None else None
            if limit is not None and start >= limit:
                continue
            for payload, end in spool.read_records(seg, start, self.read_bytes):
                if limit is not None and end > limit:
                    break
                rec = self._decode(payload, seg, end)
                records.append(rec)
                ends[seg.name] = end
                n_msgs += len(rec["m"])
                if n_msgs >= self.max_messages:
                    break
            if n_msgs >= self.max_messages:
                break
        return records, ends, n_msgs

    def _commit_reading_ahead(self, s, segs: list[Path], after: dict[str, int]) -> None:
        """Commit the pass's transaction in a thread while this one reads and parses the
        next pass's records (from `after`, the offsets being committed). The commit runs in
        the database's C code without the GIL, so the two overlap: parsing is about a tenth
        of a pass, the commit another (bench/fold_scale.py). The next pass uses what was
        read only if the committed offsets and the segments are still these."""
        s.flush()
        failed: list[BaseException] = []

        def commit() -> None:
            try:
                s.commit()
            except BaseException as exc:  # re-raised in the pass's own thread
                failed.append(exc)

        committer = threading.Thread(target=commit, name="tally-aggregator-commit")
        committer.start()
        try:
            ahead = self._read(segs, after, self._limits())
        finally:
            committer.join()
        if failed:
            raise failed[0]
        if ahead[0]:
            self._ahead = (after, segs, ahead)

    def _decode(self, payload: bytes, seg: Path, end: int) -> dict:
        try:
            account_id, msgs = spool_records.decode(payload)
        except (InvalidMessage, TooLarge):
            # Acknowledged under rules this version no longer accepts: never drop it
            # silently; keep it aside for an operator (docs/ingestion.md).
            keep = self.dir / "quarantine"
            keep.mkdir(exist_ok=True)
            (keep / f"{seg.stem}-{end}.rec").write_bytes(payload)
            log.exception("spool record %s@%d no longer validates; kept in %s", seg.name, end, keep)
            return {"a": "", "m": []}
        return {"a": account_id, "m": msgs}

    def _commit(
        self, records: list[dict], ends: dict[str, int], offsets: dict[str, int], segs: list[Path]
    ) -> None:
        by_account: dict[str, list[dict]] = defaultdict(list)
        for rec in records:
            if rec["m"]:
                by_account[rec["a"]].extend(rec["m"])
        # CounterKey fields -> [count, revenue]; None: counted ahead, by the counting stage
        deltas: dict[tuple, list] | None = {} if self.count else None
        flush_id = uuid.uuid4().hex
        with self.db.session() as s, planned_afresh(s):
            for account_id, msgs in by_account.items():
                fold_account(s, account_id, msgs, deltas, self.hooks)
            frozen = {CounterKey(*k): Totals(v[0], v[1]) for k, v in (deltas or {}).items()}
            if frozen:
                s.add(PendingFlush(id=flush_id, deltas=deltas_to_json(frozen)))
            for name, end in ends.items():
                row = s.get(SpoolOffset, name)
                if row is None:
                    s.add(SpoolOffset(segment=name, offset=end))
                else:
                    row.offset = end
            self._commit_reading_ahead(s, segs, {**offsets, **ends})
        if frozen:
            self.counters.increment(flush_id, frozen)
            with self.db.session() as s:
                s.execute(delete(PendingFlush).where(PendingFlush.id == flush_id))

    def _cleanup(self, segs: list[Path], offsets: dict[str, int]) -> None:
        """Delete segments that are fully folded and that no live writer appends to."""
        for seg in segs:
            try:
                size = seg.stat().st_size
            except FileNotFoundError:
                continue
            off = offsets.get(seg.name, 0)
            if spool.writer_alive(seg):
                continue
            # A dead writer's torn tail was never acknowledged: it is safe to drop.
            if off >= size or not any(True for _ in spool.read_records(seg, off, 1 << 20)):
                seg.unlink(missing_ok=True)
                with self.db.session() as s:
                    s.execute(delete(SpoolOffset).where(SpoolOffset.segment == seg.name))
