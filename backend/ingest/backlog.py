"""How far the aggregator is behind: what /healthz reports, so an operator sees a spool
that grows (events acknowledged faster than they are counted) before anyone asks why a
dashboard lags."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select

from backend.ingest import records, spool
from backend.store.models import SpoolOffset


def backlog(runtime) -> dict:
    """{"bytes": spooled but not yet folded, "segments": files holding them,
    "oldest_seconds": how long the oldest unfolded request has waited (0 when none)}."""
    with runtime.db.session() as s:
        offsets = dict(s.execute(select(SpoolOffset.segment, SpoolOffset.offset)).all())
    pending, files, oldest = 0, 0, None
    now = time.time()
    for seg in spool.segments(runtime.settings.spool_dir):
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
    return {"bytes": pending, "segments": files,
            "oldest_seconds": round(now - oldest, 1) if oldest is not None else 0}


def _accepted_at(seg: Path, offset: int) -> float | None:
    """When the first unfolded record of a segment was accepted (epoch seconds); None for a
    torn tail or a record older than its time stamp."""
    for payload, _end in spool.read_records(seg, offset, 64 * 1024):
        return records.accepted_at(payload)
    return None
