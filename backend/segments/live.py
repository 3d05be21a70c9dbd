"""Keeping segments fresh after their full evaluation on save (docs/segments.md):

- New events: a watermark over stored event ids (the column cache's, backend/segments/
  columns.py, so the new rows are read once for the cache and for the watcher) finds the
  events stored since the last step; their profiles are re-evaluated against the segments
  those events can affect. On PostgreSQL ids are taken when a row is inserted but seen when
  its transaction commits, so a lower id can appear after a higher one: every id skipped
  over is kept as a gap and looked for again until it shows up or 5 minutes have passed (a
  transaction that old has committed or rolled back).
- Time: a rolling window (`days: D`) loses events as time passes. Each step finds the events
  that crossed a window's edge since the previous step (ts + D between the two) and
  re-evaluates their profiles, so a profile leaves within one step of its window lapsing.
- Touches (backend/store/touches.py): profiles whose lists or e-mail status changed without
  an event are re-evaluated against every segment of their account, then forgotten.
- A periodic full evaluation of each segment (`full_every`) catches what no event announces
  (a list joined through the API, a refit of predictions).
- A membership change re-evaluates the segments that use this one, and starts flows that
  trigger on joining it.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

import numpy as np
from pyroaring import BitMap64
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.segments import columns
from backend.segments.refresh import _conditions, evaluate_full, reevaluate
from backend.store import touches
from backend.store.db import utcnow
from backend.store.models import Event
from backend.store.segment_models import Segment

log = logging.getLogger("tally.segments")

MAX_ROWS = 50_000  # events read per step


def affected_by(seg: Segment, metrics: set[str]) -> bool:
    """Whether events of these metrics can change who is in `seg`: a metric condition on
    one of them, or a condition on the profile itself (an identify changes traits)."""
    for c in _conditions(seg):
        kind = c.get("type")
        if kind == "metric" and c.get("metric") in metrics:
            return True
        if kind in ("property", "list", "email_status", "prediction"):
            return True
    return False


class Watcher:
    """One step at a time (the jobs process loops; tests call step() with their own clock)."""

    def __init__(self, db, full_every=timedelta(minutes=10)):
        self.db = db
        self.full_every = full_every
        # The new events come from the column cache's watermark (backend/segments/columns.py:
        # ids skipped over are looked for again as gaps), read once for the columns and us.
        self.follower: columns.Follower | None = None
        self.edge_at: datetime | None = None  # when windows' edges were last looked at
        self.steps = 0
        self.full_took: dict[int, float] = {}  # segment id -> seconds its last full pass took

    def step(self, now: datetime | None = None) -> int:
        """Returns how many memberships changed."""
        now = now or utcnow()
        changed = 0
        if self.follower is None:
            self._start(now)
            changed += self._full(now, force=True)
        changed += self._events(now)
        changed += self._touches()
        changed += self._windows(now)
        changed += self._full(now)
        self.steps += 1
        return changed

    # -- the watermark -----------------------------------------------------------------------
    def _start(self, now: datetime) -> None:
        self.follower = columns.cache_for(self.db.engine).follow()
        self.edge_at = now

    def _new_events(self) -> list[tuple]:
        """(id, account_id, metric, profile_id, ts, revenue) of the events stored since the
        last step."""
        if self.follower is None:
            self._start(utcnow())
        return columns.cache_for(self.db.engine).take(self.follower)

    def _events(self, now: datetime) -> int:
        by_account: dict[str, tuple[list[int], set[str]]] = {}
        for r in self._new_events():  # (id, account_id, metric, profile_id, ts, revenue)
            if r[3] is None:
                continue
            entry = by_account.get(r[1])
            if entry is None:
                entry = by_account[r[1]] = ([], set())
            entry[0].append(r[3])
            entry[1].add(r[2])
        changed = 0
        for account_id, (pids, metrics) in by_account.items():
            ids = BitMap64(pids)
            with self.db.session() as s:
                for seg in _segments(s, account_id):
                    if affected_by(seg, metrics):
                        ch = reevaluate(s, seg, ids, now)
                        changed += len(ch.joined) + len(ch.left)
        return changed

    # -- touches: changes without an event (lists, e-mail status, merges) ----------------------
    def _touches(self, now: datetime | None = None) -> int:
        """Re-evaluate touched profiles against every segment of their account, then delete
        the touches in the same transaction (a failed step leaves them for the next)."""
        with self.db.session() as s:
            rows = touches.pending(s, MAX_ROWS)
        by_account: dict[str, tuple[BitMap64, list[int]]] = {}
        for touch_id, account_id, profile_id in rows:
            ids, done = by_account.setdefault(account_id, (BitMap64(), []))
            ids.add(profile_id)
            done.append(touch_id)
        changed = 0
        for account_id, (ids, done) in by_account.items():
            with self.db.session() as s:
                at = now or utcnow()  # read after the touch: its change is visible
                for seg in _segments(s, account_id):
                    ch = reevaluate(s, seg, ids, at)
                    changed += len(ch.joined) + len(ch.left)
                touches.forget(s, done)
        return changed

    # -- time windows --------------------------------------------------------------------------
    def _windows(self, now: datetime) -> int:
        """Profiles whose events left a rolling window since the last look: ts + D in
        (edge_at, now]."""
        since, self.edge_at = self.edge_at or now, now
        changed = 0
        with self.db.session() as s:
            segs = list(s.scalars(select(Segment)))
        for seg in segs:
            rolling = [c for c in _conditions(seg) if c.get("type") == "metric" and c.get("days")]
            if not rolling:
                continue
            with self.db.session() as s:
                ids = BitMap64()
                for c in rolling:
                    d = timedelta(days=int(c["days"]))
                    crossed = _crossed(s, seg.account_id, c["metric"], since - d, now - d)
                    if crossed is not None:
                        ids |= crossed
                        continue
                    ids.update(
                        s.scalars(
                            select(Event.profile_id).where(
                                Event.account_id == seg.account_id,
                                Event.metric == c["metric"],
                                Event.ts >= since - d,
                                Event.ts < now - d,
                                Event.profile_id.is_not(None),
                            )
                        )
                    )
                if ids:
                    ch = reevaluate(s, s.get(Segment, seg.id), ids, now)
                    changed += len(ch.joined) + len(ch.left)
        return changed

    # -- the safety net ------------------------------------------------------------------------
    def _full(self, now: datetime, force: bool = False) -> int:
        changed = 0
        with self.db.session() as s:
            due = [
                seg.id
                for seg in s.scalars(select(Segment).order_by(Segment.id))
                if force
                or seg.evaluated_at is None
                or now - seg.evaluated_at >= self._every(seg.id)
            ]
        for sid in due:
            started = time.monotonic()
            with self.db.session() as s:
                seg = s.get(Segment, sid)
                if seg is not None:
                    ch = evaluate_full(s, seg, now)
                    changed += len(ch.joined) + len(ch.left)
            self.full_took[sid] = time.monotonic() - started
        return changed

    def _every(self, segment_id: int) -> timedelta:
        """`full_every`, or longer for a segment whose full pass is slow: the safety net
        never takes more than 1/20 of the jobs process's time."""
        return max(self.full_every, timedelta(seconds=20 * self.full_took.get(segment_id, 0.0)))


def _crossed(s: Session, account_id: str, metric: str, lo: datetime, hi: datetime):
    """Profiles with events of `metric` timed in [lo, hi), from the column cache; None
    when the metric is not cached (the caller asks SQL)."""
    if not columns.enabled:
        return None
    view = columns.cache_for(s.get_bind()).view(account_id, metric)
    if view is None:
        return None
    pid, ts, _ = view
    mask = (ts >= columns.to_us(lo)) & (ts < columns.to_us(hi))
    return BitMap64(np.unique(pid[mask]))


def _segments(s: Session, account_id: str) -> list[Segment]:
    return list(
        s.scalars(select(Segment).where(Segment.account_id == account_id).order_by(Segment.id))
    )


def run_forever(runtime, stop: threading.Event, interval: float = 2.0) -> None:
    """The segments loop of the jobs process: a step every `interval` seconds."""
    watcher = Watcher(runtime.db)
    while not stop.is_set():
        try:
            watcher.step()
        except Exception:
            log.exception("segments step failed; retrying")
        stop.wait(interval)
