"""Profile reads: one profile with its lists and recent events, or a page of profiles."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from backend.analytics.errors import InvalidQuery
from backend.analytics.metrics import iso_z
from backend.predictions.read import for_profile as predictions_of
from backend.store.models import Event, List, ListMember, Profile
from backend.store.segment_models import SegmentMember

RECENT_EVENTS = 50
MAX_PAGE = 200


def _summary(p: Profile) -> dict:
    return {
        "id": p.id,
        "user_id": p.external_id,
        "email": p.email,
        "traits": p.traits or {},
        "country": p.country,
        # Marketing e-mail consent (backend/email/suppression.py), with when and why.
        "email_status": p.email_status or "never_subscribed",
        "email_status_at": iso_z(p.email_status_at),
        "email_status_reason": p.email_status_reason,
        "first_seen": iso_z(p.first_seen),
        "last_seen": iso_z(p.last_seen),
    }


def _full(session: Session, p: Profile, limit: int) -> dict:
    lists = session.scalars(
        select(List.name)
        .join(ListMember, ListMember.list_id == List.id)
        .where(ListMember.profile_id == p.id, List.account_id == p.account_id)
        .order_by(List.name)
    )
    # By profile alone: with the account in the WHERE too, SQLite reads the account's whole
    # (metric, ts) index (1.4 s for a profile page at 1M events) instead of the profile's.
    # A profile's events are its account's; the filter below keeps that a guarantee.
    events = [
        e
        for e in session.scalars(
            select(Event)
            .where(Event.profile_id == p.id)
            .order_by(Event.ts.desc(), Event.id.desc())
            .limit(limit)
        )
        if e.account_id == p.account_id
    ]
    return {
        **_summary(p),
        "lists": list(lists),
        # CLV, churn and next order (docs/predictions.md); None while the account has none.
        "predictions": predictions_of(session, p.account_id, p.id),
        "events": [
            {
                "id": e.message_id,
                "metric": e.metric,
                "ts": iso_z(e.ts),
                "country": e.country,
                "revenue": e.revenue,
                "properties": e.properties or {},
            }
            for e in events
        ],
    }


def get_profile(
    session: Session, account_id: str, profile_id: int, limit: int = RECENT_EVENTS
) -> dict | None:
    """The profile (traits, country, lists, first/last seen, newest events first), or None
    when there is no such profile in this account."""
    p = session.get(Profile, profile_id)
    if p is None or p.account_id != account_id:
        return None
    return _full(session, p, limit)


def find_profile(
    session: Session, account_id: str, email: str, limit: int = RECENT_EVENTS
) -> dict | None:
    """The profile with this e-mail address (case-insensitive), or None."""
    if not isinstance(email, str) or "@" not in email or len(email) > 320:
        raise InvalidQuery("email", "must be an e-mail address")
    p = session.scalars(
        select(Profile).where(
            Profile.account_id == account_id, Profile.email == email.strip().lower()
        )
    ).first()
    return None if p is None else _full(session, p, limit)


def list_profiles(
    session: Session,
    account_id: str,
    search: str = "",
    offset: int = 0,
    limit: int = 50,
    segment_id: int | None = None,
) -> dict:
    """A page of profiles, most recently seen first; `search` matches e-mail or user id;
    `segment_id` keeps the segment's current members only."""
    if offset < 0:
        raise InvalidQuery("offset", "must be 0 or more")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidQuery("limit", f"must be from 1 to {MAX_PAGE}")
    where = [Profile.account_id == account_id]
    if segment_id is not None:
        members = select(SegmentMember.profile_id).where(SegmentMember.segment_id == segment_id)
        where.append(Profile.id.in_(members))
    text = (search or "").strip().lower()
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            or_(
                Profile.email.like(like, escape="\\"),
                func.lower(Profile.external_id).like(like, escape="\\"),
            )
        )
    total = session.scalar(select(func.count()).select_from(Profile).where(*where)) or 0
    rows = session.scalars(
        select(Profile)
        .where(*where)
        .order_by(Profile.last_seen.desc(), Profile.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return {
        "profiles": [_summary(p) for p in rows],
        "total": int(total),
        "offset": offset,
        "limit": limit,
    }
