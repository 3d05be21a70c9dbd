"""A segment's membership recomputed and stored, and what follows a change: flows that
trigger on joining start, and segments built on this one are re-evaluated. Shared by saving
(service) and the live watcher (live), so neither imports the other."""

from __future__ import annotations

from datetime import datetime

from pyroaring import BitMap64
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.segments import membership
from backend.segments.evaluate import members
from backend.store.db import utcnow
from backend.store.segment_models import Segment


def _conditions(seg: Segment) -> list[dict]:
    return [c for group in seg.definition.get("conditions") or [] for c in group]


def after_changes(s: Session, seg: Segment, changes, now: datetime) -> None:
    """Start flows on the joins; re-evaluate the segments that use this one."""
    if changes.joined:
        from backend.flows.enroll import SEGMENT_METRIC, enroll

        rows = [
            {
                "metric": SEGMENT_METRIC,
                "properties": {"segment": seg.id},
                "ts": now,
                "message_id": f"segment:{seg.id}:{p}:{now.isoformat()}",
                "profile_id": p,
            }
            for p in changes.joined
        ]
        enroll(s, seg.account_id, rows, now)
    touched = changes.joined | changes.left
    if not touched:
        return
    for other in s.scalars(select(Segment).where(Segment.account_id == seg.account_id)):
        if any(
            c.get("type") == "segment" and c.get("segment") == seg.id for c in _conditions(other)
        ):
            reevaluate(s, other, touched, now)


def reevaluate(s: Session, seg: Segment, within: BitMap64, now: datetime):
    """Evaluate `seg` for the profiles in `within` only and store the difference."""
    membership.lock(s, seg.id)
    new = members(s, seg.account_id, seg.definition["conditions"], now, within)
    changes = membership.apply(s, seg, new, now, within=within)
    after_changes(s, seg, changes, now)
    return changes


def evaluate_full(s: Session, seg: Segment, now: datetime | None = None):
    """Evaluate every profile and store the result; returns the changes."""
    now = now or utcnow()
    membership.lock(s, seg.id)
    new = members(s, seg.account_id, seg.definition["conditions"], now)
    changes = membership.apply(s, seg, new, now, full=True)
    after_changes(s, seg, changes, now)
    return changes
