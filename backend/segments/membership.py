"""Stored membership: who is in a segment now, and applying an evaluation's result to it
(rows added and removed, each join and leave recorded, the count kept)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pyroaring import BitMap64
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from backend.errors import NotFound
from backend.segments.evaluate import CHUNK, _chunks, in_ids
from backend.store.segment_models import Segment, SegmentChange, SegmentMember


def get_segment(s: Session, account_id: str, segment_id: int) -> Segment:
    seg = s.get(Segment, segment_id) if 0 < segment_id < 2**63 else None
    if seg is None or seg.account_id != account_id:
        raise NotFound(f"no segment {segment_id} in this account")
    return seg


def member_ids(s: Session, account_id: str, segment_id: int) -> list[int]:
    """The profile ids in the segment now, ascending (NotFound for another account's id)."""
    get_segment(s, account_id, segment_id)
    return sorted(
        s.scalars(select(SegmentMember.profile_id).where(SegmentMember.segment_id == segment_id))
    )


def lock(s: Session, segment_id: int) -> None:
    """Take the segment's row for writing before reading what to change: a no-op UPDATE locks
    the row on PostgreSQL and takes the write lock on SQLite (so a read snapshot is never
    upgraded after another writer committed). Save and the live loop never interleave."""
    s.execute(update(Segment).where(Segment.id == segment_id).values(count=Segment.count))


def current(s: Session, segment_id: int, within=None) -> BitMap64:
    stmt = select(SegmentMember.profile_id).where(SegmentMember.segment_id == segment_id)
    out = BitMap64()
    if within is None:
        out.update(s.scalars(stmt))
    else:
        cond, params = in_ids(s, SegmentMember.profile_id, within)
        out.update(s.scalars(stmt.where(cond), params))
    return out


@dataclass
class Changes:
    joined: BitMap64 = field(default_factory=BitMap64)
    left: BitMap64 = field(default_factory=BitMap64)

    def __bool__(self) -> bool:
        return bool(self.joined or self.left)


def apply(
    s: Session, seg: Segment, new: BitMap64, now: datetime, within=None, full: bool = False
) -> Changes:
    """Make the stored membership equal `new` (over `within`, or everyone when None)."""
    old = current(s, seg.id, within)
    if within is not None:
        new = new & BitMap64(within)
    changes = Changes(joined=new - old, left=old - new)
    conn = s.connection()  # Core inserts: no ORM bookkeeping per row
    for chunk in _chunks(changes.joined):
        conn.execute(
            insert(SegmentMember.__table__),
            [{"segment_id": seg.id, "profile_id": p, "joined_at": now} for p in chunk],
        )
    for chunk in _chunks(changes.left):
        s.execute(
            delete(SegmentMember).where(
                SegmentMember.segment_id == seg.id, SegmentMember.profile_id.in_(chunk)
            )
        )
    rows = [
        {"segment_id": seg.id, "profile_id": p, "joined": True, "at": now} for p in changes.joined
    ]
    rows += [
        {"segment_id": seg.id, "profile_id": p, "joined": False, "at": now} for p in changes.left
    ]
    for i in range(0, len(rows), CHUNK):
        conn.execute(insert(SegmentChange.__table__), rows[i : i + CHUNK])
    if full:
        seg.count = len(new)
        seg.evaluated_at = now
    elif changes:
        seg.count = s.scalar(
            select(func.count())
            .select_from(SegmentMember)
            .where(SegmentMember.segment_id == seg.id)
        )
    return changes
