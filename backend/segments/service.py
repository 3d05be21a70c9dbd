"""Segments as the API and the pages see them: save (with a full evaluation), read, delete
(refused while a flow, campaign or another segment uses it), preview, members, history."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from backend.errors import Conflict
from backend.flows.schema import segments_used
from backend.segments import definition
from backend.segments.evaluate import members
from backend.segments.membership import get_segment
from backend.segments.refresh import evaluate_full
from backend.store.campaign_models import Campaign
from backend.store.db import utcnow
from backend.store.flow_models import Flow
from backend.store.models import Profile
from backend.store.segment_models import Segment, SegmentChange, SegmentMember

MAX_PAGE = 1000


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() + "Z" if t else None


def to_json(seg: Segment) -> dict:
    return {
        "id": seg.id,
        "name": seg.name,
        "conditions": seg.definition.get("conditions", []),
        "count": seg.count,
        "evaluated_at": _iso(seg.evaluated_at),
        "created_at": _iso(seg.created_at),
        "updated_at": _iso(seg.updated_at),
    }


def list_segments(s: Session, account_id: str) -> list[Segment]:
    return list(
        s.scalars(select(Segment).where(Segment.account_id == account_id).order_by(Segment.id))
    )


def create(s: Session, account_id: str, body: dict, now: datetime | None = None) -> Segment:
    defn = definition.check(s, account_id, body)
    seg = Segment(
        account_id=account_id, name=defn["name"], definition={"conditions": defn["conditions"]}
    )
    s.add(seg)
    s.flush()
    evaluate_full(s, seg, now)
    return seg


def update(s: Session, account_id: str, segment_id: int, body: dict, now=None) -> Segment:
    seg = get_segment(s, account_id, segment_id)
    defn = definition.check(s, account_id, body, segment_id=seg.id)
    seg.name = defn["name"]
    seg.definition = {"conditions": defn["conditions"]}
    seg.updated_at = utcnow()
    s.flush()
    evaluate_full(s, seg, now)
    return seg


def users(s: Session, account_id: str, segment_id: int) -> list[str]:
    """What uses the segment, as words: 'flow "Welcome"', 'segment "VIP"', 'campaign "X"'."""
    out = []
    for flow in s.scalars(select(Flow).where(Flow.account_id == account_id)):
        if segment_id in segments_used(flow.definition or {}):
            out.append(f'flow "{flow.name}"')
    for other in list_segments(s, account_id):
        if other.id != segment_id and segment_id in definition.referenced_segments(
            other.definition.get("conditions") or []
        ):
            out.append(f'segment "{other.name}"')
    out += _campaign_users(s, account_id, segment_id)
    return out


def _campaign_users(s: Session, account_id: str, segment_id: int) -> list[str]:
    out = []
    for c in s.scalars(select(Campaign).where(Campaign.account_id == account_id)):
        audience = getattr(c, "audience", None) or {}
        ids = list(audience.get("segments") or []) + list(audience.get("exclude_segments") or [])
        if segment_id in ids:
            out.append(f'campaign "{c.name}"')
    return out


def delete(s: Session, account_id: str, segment_id: int) -> None:
    seg = get_segment(s, account_id, segment_id)
    used_by = users(s, account_id, segment_id)
    if used_by:
        raise Conflict(f"segment {segment_id} is in use by {', '.join(used_by)}", used_by=used_by)
    s.delete(seg)


def preview(s: Session, account_id: str, body: dict, sample: int = 0, now=None) -> dict:
    """{"count"} of a definition not saved (and, for the builder, a few sample members)."""
    defn = definition.check(s, account_id, body, named=False)
    found = members(s, account_id, defn["conditions"], now or utcnow())
    out: dict = {"count": len(found)}
    if sample:
        ids = list(found[:sample]) if len(found) else []
        out["sample"] = [_member(p) for p in _profiles(s, ids)]
    return out


def _profiles(s: Session, ids: list[int]) -> list[Profile]:
    if not ids:
        return []
    return list(s.scalars(select(Profile).where(Profile.id.in_(ids)).order_by(Profile.id)))


def _member(p: Profile) -> dict:
    return {"id": p.id, "email": p.email, "external_id": p.external_id}


def members_page(s: Session, account_id: str, segment_id: int, limit=100, after=None) -> dict:
    """A page of members by profile id; `next` is the cursor of the following page."""
    seg = get_segment(s, account_id, segment_id)
    stmt = (
        select(Profile)
        .join(SegmentMember, SegmentMember.profile_id == Profile.id)
        .where(SegmentMember.segment_id == seg.id)
        .order_by(Profile.id)
        .limit(limit + 1)
    )
    if after is not None:
        stmt = stmt.where(Profile.id > after)
    rows = list(s.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "count": seg.count,
        "members": [_member(p) for p in rows],
        "next": str(rows[-1].id) if more and rows else None,
    }


def history(s: Session, account_id: str, segment_id: int, days: int = 30, now=None) -> list:
    """[(day, members at the end of that day)] for the last `days` days, from the changes."""
    seg = get_segment(s, account_id, segment_id)
    now = now or utcnow()
    today = datetime(now.year, now.month, now.day)
    start = today - timedelta(days=days - 1)
    net = dict(
        s.execute(
            select(
                func.date(SegmentChange.at),
                func.sum(case((SegmentChange.joined, 1), else_=-1)),
            )
            .where(SegmentChange.segment_id == seg.id, SegmentChange.at >= start)
            .group_by(func.date(SegmentChange.at))
        ).all()
    )
    net = {str(k)[:10]: int(v) for k, v in net.items()}
    out, count = [], seg.count
    for i in range(days):
        day = today - timedelta(days=i)
        out.append((day.date().isoformat(), count))
        count -= net.get(day.date().isoformat(), 0)
    return list(reversed(out))
