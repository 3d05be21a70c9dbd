"""What a campaign's recipients did, from the events the e-mail layer records through
ingestion with `properties.campaign` (and `variant`, and `machine` on opens and clicks)."""

from __future__ import annotations

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.orm import Session

from backend.email import events as ev
from backend.store.campaign_models import Campaign
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


def revenue(s: Session, c: Campaign) -> float:
    try:
        from backend.email import attribution
    except ImportError:  # the e-mail layer's attribution has not landed here yet
        return 0.0
    fn = getattr(attribution, "campaign_revenue", None)
    return float(fn(s, c.account_id, c.id) or 0.0) if fn else 0.0
