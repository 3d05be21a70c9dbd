"""Who a campaign goes to: its lists and segments minus its exclusions, each profile once.
Suppressed profiles are always left out (counted), and smart sending skips profiles that got
a marketing e-mail in the last N hours (counted as skipped). One INSERT ... SELECT fixes the
recipients when sending starts, so memory stays flat however large the audience."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, case, exists, func, insert, literal, or_, select
from sqlalchemy.orm import Session

from backend.errors import Invalid, NotFound
from backend.store.campaign_models import (
    HOLD,
    PENDING,
    SKIPPED,
    SUPPRESSED,
    Campaign,
    CampaignRecipient,
)
from backend.store.models import Event, List, ListMember, Profile
from backend.store.segment_models import Segment, SegmentMember

RECEIVED = "Received Email"
VARIANTS = "ABCD"


def suppressed_statuses() -> tuple[str, ...]:
    from backend.email.suppression import SUPPRESSED as STATUSES

    return tuple(STATUSES)


def resolve(s: Session, account_id: str, audience: dict) -> dict:
    """{"lists": [list ids], "segments": [...], "exclude_lists": [...], ...}. An unknown name
    or id -> Invalid naming it; one that belongs to another account -> NotFound."""
    out: dict[str, list[int]] = {}
    problems: list[str] = []
    for key in ("lists", "exclude_lists"):
        ids = []
        for name in audience.get(key) or []:
            found = s.scalar(
                select(List.id).where(List.account_id == account_id, List.name == name)
            )
            if found is None:
                if s.scalar(select(List.id).where(List.name == name).limit(1)) is not None:
                    raise NotFound(f"audience.{key}: list {name!r} belongs to another account")
                problems.append(f"audience.{key}: no list named {name!r}")
            else:
                ids.append(found)
        out[key] = ids
    for key in ("segments", "exclude_segments"):
        ids = []
        for seg_id in audience.get(key) or []:
            owner = s.scalar(select(Segment.account_id).where(Segment.id == seg_id))
            if owner is None:
                problems.append(f"audience.{key}: no segment {seg_id}")
            elif owner != account_id:
                raise NotFound(f"audience.{key}: segment {seg_id} belongs to another account")
            else:
                ids.append(seg_id)
        out[key] = ids
    if problems:
        raise Invalid(problems=problems)
    return out


def _in(ids: dict, lists_key: str, segs_key: str):
    parts = []
    if ids[lists_key]:
        parts.append(
            Profile.id.in_(
                select(ListMember.profile_id).where(ListMember.list_id.in_(ids[lists_key]))
            )
        )
    if ids[segs_key]:
        parts.append(
            Profile.id.in_(
                select(SegmentMember.profile_id).where(SegmentMember.segment_id.in_(ids[segs_key]))
            )
        )
    return or_(*parts) if parts else None


def _recently_mailed(hours: int, now: datetime):
    cutoff = now - timedelta(hours=hours)
    by_campaign = exists().where(
        CampaignRecipient.profile_id == Profile.id, CampaignRecipient.sent_at >= cutoff
    )
    by_event = exists().where(
        Event.profile_id == Profile.id, Event.metric == RECEIVED, Event.ts >= cutoff
    )
    return or_(by_campaign, by_event)


def _state(hours: int, now: datetime):
    whens = [(Profile.email_status.in_(suppressed_statuses()), literal(SUPPRESSED))]
    if hours:
        whens.append((_recently_mailed(hours, now), literal(SKIPPED)))
    return case(*whens, else_=literal(PENDING))


def _audience_query(s: Session, account_id: str, audience: dict, hours: int, now: datetime):
    ids = resolve(s, account_id, audience)
    include = _in(ids, "lists", "segments")
    if include is None:
        return None, None
    conds = [
        Profile.account_id == account_id,
        Profile.email.is_not(None),
        Profile.email != "",
        include,
    ]
    exclude = _in(ids, "exclude_lists", "exclude_segments")
    if exclude is not None:
        conds.append(~exclude)
    return and_(*conds), _state(hours, now)


def count(s: Session, account_id: str, audience: dict, hours: int, now: datetime) -> dict:
    """What the editor shows live: {"recipients", "suppressed", "skipped", "sendable"}."""
    where, state = _audience_query(s, account_id, audience, hours, now)
    out = {"recipients": 0, "suppressed": 0, "skipped": 0, "sendable": 0}
    if where is None:
        return out
    sub = select(state.label("state")).where(where).subquery()
    for st, n in s.execute(select(sub.c.state, func.count()).group_by(sub.c.state)):
        if st == SUPPRESSED:
            out["suppressed"] = n
        else:
            out["recipients"] += n
            out["skipped" if st == SKIPPED else "sendable"] += n
    return out


def _domain(s: Session):
    if s.get_bind().dialect.name == "postgresql":
        return func.lower(func.split_part(Profile.email, "@", 2))
    return func.lower(func.substr(Profile.email, func.instr(Profile.email, "@") + 1))


def _variant(campaign: Campaign):
    ab = campaign.ab
    if not ab:
        return literal("A")
    n = len(ab["subjects"])
    # A stable pseudo-random share: the test group is test_percent of the audience, spread
    # over the id space rather than the oldest profiles.
    bucket = (Profile.id * 7919 + campaign.id * 104729) % 100
    pick = case(*[(Profile.id % n == i, literal(VARIANTS[i])) for i in range(n)])
    return case((bucket < ab["test_percent"], pick), else_=literal(HOLD))


def materialize(s: Session, campaign: Campaign, now: datetime) -> int:
    """Insert the campaign's recipients, once: the unique (campaign, profile) key refuses a
    second row. Returns how many rows were written."""
    where, state = _audience_query(
        s, campaign.account_id, campaign.audience, campaign.smart_sending_hours, now
    )
    if where is None:
        return 0
    rows = select(
        literal(campaign.id),
        Profile.id,
        Profile.email,
        _domain(s),
        _variant(campaign),
        state,
    ).where(where)
    cols = ["campaign_id", "profile_id", "email", "domain", "variant", "state"]
    result = s.execute(insert(CampaignRecipient).from_select(cols, rows))
    return result.rowcount or 0
