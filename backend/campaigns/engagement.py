"""What a campaign's recipients did, from the events the e-mail layer records through
ingestion with `properties.campaign` (and `variant`, and `machine` on opens and clicks)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.orm import Session

from backend.email import events as ev
from backend.store.campaign_models import Campaign
from backend.store.db import utcnow
from backend.store.models import Event

METRICS = (ev.OPENED, ev.CLICKED, ev.UNSUBSCRIBED, ev.BOUNCED, ev.COMPLAINED)
KEY = {
    ev.OPENED: "opened",
    ev.CLICKED: "clicked",
    ev.UNSUBSCRIBED: "unsubscribed",
    ev.BOUNCED: "bounced",
    ev.COMPLAINED: "complained",
}


def campaign_events(c: Campaign, metrics=METRICS):
    """The conditions of this campaign's events (the index on account, metric, time)."""
    conds = [
        Event.account_id == c.account_id,
        Event.metric.in_(metrics),
        Event.properties["campaign"].as_string() == str(c.id),
    ]
    if c.started_at is not None:
        conds.append(Event.ts >= c.started_at)
    return and_(*conds)


def machine():
    return func.coalesce(Event.properties["machine"].as_boolean(), False)


def totals(s: Session, c: Campaign) -> dict:
    """Unique profiles per outcome; `opened` and `clicked` count people, not mail scanners
    or Apple's privacy proxy (`machine_opened` counts those), then revenue attributed."""
    out = {"opened": 0, "clicked": 0, "unsubscribed": 0, "bounced": 0, "revenue": 0.0}
    if c.started_at is None:
        return out
    is_machine = machine().label("is_machine")  # grouped by its label: one bound parameter
    q = (
        select(Event.metric, is_machine, func.count(distinct(Event.profile_id)))
        .where(campaign_events(c))
        .group_by(Event.metric, is_machine)
    )
    for metric, is_machine, n in s.execute(q):
        key = KEY[metric]
        if metric in (ev.OPENED, ev.CLICKED) and is_machine:
            continue
        if key in out:
            out[key] += n
    out["revenue"] = revenue(s, c)
    return out


def by_variant(s: Session, c: Campaign) -> dict[str, dict]:
    """{variant: {"opened": people, "clicked": people}}, human opens and clicks only."""
    out: dict[str, dict] = {}
    if c.started_at is None:
        return out
    variant = Event.properties["variant"].as_string().label("variant")
    q = (
        select(variant, Event.metric, func.count(distinct(Event.profile_id)))
        .where(campaign_events(c, (ev.OPENED, ev.CLICKED)), machine().is_(False))
        .group_by(variant, Event.metric)
    )
    for v, metric, n in s.execute(q):
        out.setdefault(v or "A", {})[KEY[metric]] = n
    return out


def revenue(s: Session, c: Campaign, days: float = 5.0) -> float:
    """Placed Order within `days` of a human open or a click of this campaign, credited to
    the last touch (the e-mail layer's attribution: an order is never counted twice)."""
    if c.started_at is None:
        return 0.0
    from backend.email.attribution import attribute

    end = utcnow() + timedelta(minutes=1)
    per_key = attribute(s, c.account_id, c.started_at, end, days)
    prefix = f"c{c.id}:"
    return round(sum(v["revenue"] for k, v in per_key.items() if k.startswith(prefix)), 2)
