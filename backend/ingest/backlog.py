"""How far counting and storing are behind: what /healthz reports, so an operator sees a
spool that grows (events acknowledged faster than they are counted) before anyone asks why a
dashboard lags.

On SQLite counting runs ahead of storing (backend/ingest/counting.py), so the two lags
differ: "spool" is what is acknowledged but not yet counted, "unstored" what is not yet on
profiles and timelines (counted or not). On PostgreSQL a pass does both: they are equal."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select

from backend.ingest import records, spool
from backend.ingest.counting import CountState
from backend.store.models import SpoolOffset


def backlog(runtime) -> dict:
    """{"bytes": spooled but not yet counted, "segments": files holding them,
    "oldest_seconds": how long the oldest uncounted request has waited (0 when none),
    "unstored": {"bytes", "oldest_seconds"}: the same for what is not yet stored}."""
    with runtime.db.session() as s:
        stored = dict(s.execute(select(SpoolOffset.segment, SpoolOffset.offset)).all())
    counted = dict(stored)
    state = CountState(runtime.settings.spool_dir)
    if runtime.db.is_sqlite and state.path.exists():  # else nothing was counted ahead yet
        try:
            for name, offset in state.offsets().items():
                counted[name] = max(offset, stored.get(name, 0))
        finally:
            state.close()
    segs = spool.segments(runtime.settings.spool_dir)
    uncounted, files, oldest = _behind(segs, counted)
    unstored, _files, oldest_unstored = _behind(segs, stored)
    return {
        "bytes": uncounted,
        "segments": files,
        "oldest_seconds": oldest,
        "unstored": {"bytes": unstored, "oldest_seconds": oldest_unstored},
    }


def _behind(segs: list[Path], offsets: dict[str, int]) -> tuple[int, int, float]:
    """(bytes past `offsets`, segments holding them, age in seconds of the oldest record
    past them)."""
    pending, files, oldest = 0, 0, None
    for seg in segs:
        try:
            st = seg.stat()
        except FileNotFoundError:  # folded and deleted meanwhile
            continue
        left = st.st_size - offsets.get(seg.name, 0)
        if left > 0:
            pending += left
            files += 1
            born = _accepted_at(seg, offsets.get(seg.name, 0))
            if born is not None:
                oldest = born if oldest is None else min(oldest, born)
    return pending, files, round(time.time() - oldest, 1) if oldest is not None else 0


def _accepted_at(seg: Path, offset: int) -> float | None:
    """When the first unfolded record of a segment was accepted (epoch seconds); None for a
    torn tail or a record older than its time stamp."""
    for payload, _end in spool.read_records(seg, offset, 64 * 1024):
        return records.accepted_at(payload)
    return None
