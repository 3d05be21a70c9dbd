"""A campaign's report: progress while it sends (sent of total, rate, time left), then what
recipients did: per variant, clicks per link, and opens and clicks over time."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from backend.campaigns import ab, engagement, stats
from backend.email import events as ev
from backend.store.campaign_models import SENT, Campaign, CampaignRecipient
from backend.store.models import Event

R = CampaignRecipient
RATE_WINDOW = timedelta(seconds=60)


def progress(s: Session, c: Campaign, now: datetime) -> dict:
    st = stats.states(s, c.id)
    total = sum(st.values()) - st["suppressed"] - st["skipped"]
    done = st["sent"] + st["failed"] + st["unknown"]
    since = now - RATE_WINDOW
    recent = s.scalar(
        select(func.count()).where(R.campaign_id == c.id, R.state == SENT, R.sent_at >= since)
    )
    if c.started_at and c.started_at > since:
        window = max((now - c.started_at).total_seconds(), 1.0)
    else:
        window = RATE_WINDOW.total_seconds()
    rate = recent / window if c.status == "sending" else 0.0
    left = total - done
    return {
        "total": total,
        "done": done,
        "sent": st["sent"],
        "left": left,
        "rate": round(rate, 1),
        "seconds_left": round(left / rate) if rate > 0 and left else None,
    }


def _links(s: Session, c: Campaign) -> list[dict]:
    url = Event.properties["url"].as_string().label("url")
    q = (
        select(url, func.count(), func.count(distinct(Event.profile_id)))
        .where(engagement.campaign_events(c, (ev.CLICKED,)), engagement.machine().is_(False))
        .group_by(url)
        .order_by(func.count().desc())
        .limit(50)
    )
    return [{"url": u, "clicks": n, "people": p} for u, n, p in s.execute(q)]


def _over_time(s: Session, c: Campaign) -> list[dict]:
    """Human opens and clicks per hour since the start (Python buckets: both stores)."""
    q = select(Event.metric, Event.ts).where(
        engagement.campaign_events(c, (ev.OPENED, ev.CLICKED)), engagement.machine().is_(False)
    )
    buckets: dict[datetime, dict] = {}
    for metric, ts in s.execute(q.limit(500_000)):
        hour = ts.replace(minute=0, second=0, microsecond=0)
        b = buckets.setdefault(hour, {"opened": 0, "clicked": 0})
        b[engagement.KEY[metric]] += 1
    return [{"t": t.isoformat() + "Z", **buckets[t]} for t in sorted(buckets)]


def _machine_opens(s: Session, c: Campaign) -> int:
    q = select(func.count(distinct(Event.profile_id))).where(
        engagement.campaign_events(c, (ev.OPENED,)), engagement.machine().is_(True)
    )
    return s.scalar(q) or 0


def report(s: Session, c: Campaign, now: datetime) -> dict:
    st = stats.stats(s, c)
    complaints = 0
    if c.started_at:
        complaints = (
            s.scalar(
                select(func.count(distinct(Event.profile_id))).where(
                    engagement.campaign_events(c, (ev.COMPLAINED,))
                )
            )
            or 0
        )
    variants = []
    if c.ab:
        rates = ab.variant_rates(s, c)
        for i, subject in enumerate(c.ab["subjects"]):
            v = "ABCD"[i]
            variants.append({"variant": v, "subject": subject, **rates[v]})
    return {
        "id": c.id,
        "status": c.status,
        "error": c.error,
        "stats": st,
        "delivered": st["sent"] - st["bounced"],
        "machine_opened": _machine_opens(s, c) if c.started_at else 0,
        "complained": complaints,
        "progress": progress(s, c, now),
        "winner": c.winner,
        "variants": variants,
        "links": _links(s, c) if c.started_at else [],
        "over_time": _over_time(s, c) if c.started_at else [],
    }
