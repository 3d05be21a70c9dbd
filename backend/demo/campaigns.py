"""The demo store's campaigns: Black Friday, sent on the day to the VIP and at-risk
customers (its report has opens, clicks, unsubscribes and the orders they brought), and a
draft to the engaged non-buyers, ready to send: `tally demo` delivers it to var/demo-mail.

The Black Friday history is recorded, not mailed: its recipients are fixed as the sender
would, marked sent on the day, and what they did goes through ingestion as events."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select, update

from backend.campaigns import audience, service
from backend.email import events as ev
from backend.email.compose import message_key
from backend.ingest import ingestor
from backend.store.campaign_models import Campaign, CampaignRecipient
from backend.store.db import utcnow
from backend.store.models import Profile
from backend.store.segment_models import Segment

SHOP = "https://shop.example"
BLACK_FRIDAY = {
    "name": "Black Friday: 30% off everything",
    "subject": "{{ first_name | default('Hi') }}, 30% off everything starts now",
    "preview_text": "Today only, on every order",
    "body": (
        "Hello {{ first_name | default('there') }},\n\nBlack Friday is here: 30% off "
        f"everything, today only.\n\nShop the sale: {SHOP}/black-friday\n\nOur best sellers: "
        f"{SHOP}/best-sellers\n\nSee you soon,\nThe Demo Store team"
    ),
}
DRAFT = {
    "name": "We picked these for you",
    "subject": "{{ first_name | default('Hi') }}, still thinking it over?",
    "preview_text": "10% off your first order this week",
    "body": (
        "Hello {{ first_name | default('there') }},\n\nYou have been looking around: here is "
        f"10% off your first order, this week.\n\nPick yours: {SHOP}/new-arrivals\n\n"
        "The Demo Store team"
    ),
}


def _segments(s, account_id: str) -> dict[str, int]:
    rows = s.execute(select(Segment.name, Segment.id).where(Segment.account_id == account_id))
    return dict(rows.all())


def black_friday_day(now: datetime) -> datetime:
    """09:00 UTC on the last Black Friday (the fourth Friday of November) before now."""
    year = now.year if now >= datetime(now.year, 11, 30) else now.year - 1
    nov1 = datetime(year, 11, 1, 9)
    first_friday = nov1 + timedelta(days=(4 - nov1.weekday()) % 7)
    return first_friday + timedelta(weeks=3)


def create_demo_campaigns(runtime, account_id: str, seed: int = 7) -> list[int]:
    """Once per account: the sent Black Friday campaign and the draft."""
    with runtime.db.session() as s:
        if s.scalar(select(Campaign.id).where(Campaign.account_id == account_id).limit(1)):
            return []
        segs = _segments(s, account_id)
    bf_to = [segs[n] for n in ("VIP customers", "At-risk customers") if n in segs]
    draft_to = [segs[n] for n in ("Engaged non-buyers", "New subscribers") if n in segs][:1]
    ids = []
    if bf_to:
        ids.append(_black_friday(runtime, account_id, bf_to, seed))
    if draft_to:
        with runtime.db.session() as s:
            d = service.create(s, account_id, {**DRAFT, "audience": {"segments": draft_to}})
            ids.append(d.id)
    return ids


def _black_friday(runtime, account_id: str, segment_ids: list[int], seed: int) -> int:
    rng = random.Random(seed)
    at = black_friday_day(utcnow())
    with runtime.db.session() as s:
        c = service.create(s, account_id, {**BLACK_FRIDAY, "audience": {"segments": segment_ids}})
        c.status, c.send_at, c.started_at = "sending", at, at
        c.smart_sending_hours = 0
        s.flush()
        audience.materialize(s, c, at)
        s.execute(
            update(CampaignRecipient)
            .where(CampaignRecipient.campaign_id == c.id, CampaignRecipient.state == "pending")
            .values(state="sent", sent_at=at, reply="250 2.0.0 queued")
        )
        c.status, c.finished_at = "sent", at + timedelta(minutes=4)
        cid = c.id
        rows = s.execute(
            select(Profile)
            .join(CampaignRecipient, CampaignRecipient.profile_id == Profile.id)
            .where(CampaignRecipient.campaign_id == cid, CampaignRecipient.state == "sent")
        ).scalars()
        msgs = [m for p in rows for m in _what_they_did(rng, cid, p, at)]
    ing = ingestor(runtime)
    for i in range(0, len(msgs), 500):
        ing.accept(account_id, msgs[i : i + 500])
    return cid


def _what_they_did(rng: random.Random, cid: int, p: Profile, at: datetime) -> list[dict]:
    """Received; a human open for 38%, a privacy proxy's for 12% more; a click for 9%; a
    third of clickers order within two days; 0.4% unsubscribe."""
    src = {"campaign": cid, "variant": "A"}
    key = message_key(src, p.id)
    ident = ev.identity(p)
    subject = "30% off everything starts now"
    out = [ev.received(p, src, key, subject, at=at)]
    roll = rng.random()
    if roll < 0.50:
        t = at + timedelta(minutes=rng.expovariate(1 / 180))
        out.append(ev.opened(ident, src, key, subject, machine=roll >= 0.38, at=t))
        if roll < 0.09:
            link = rng.choice([f"{SHOP}/black-friday", f"{SHOP}/best-sellers"])
            t += timedelta(minutes=rng.uniform(1, 30))
            out.append(ev.clicked(ident, src, key, subject, link, machine=False, at=t))
            if rng.random() < 0.33:
                order_at = t + timedelta(hours=rng.uniform(0.1, 48))
                out.append(
                    {
                        "type": "track",
                        "event": "Placed Order",
                        **ident,
                        "messageId": f"demo-bf-order-{cid}-{p.id}",
                        "timestamp": order_at.isoformat() + "Z",
                        "properties": {"revenue": round(rng.uniform(40, 240), 2)},
                    }
                )
        elif rng.random() < 0.04:
            t += timedelta(minutes=rng.uniform(1, 60))
            out.append(ev.unsubscribed(p, src, f"demo-bf-unsub-{cid}-{p.id}", subject, at=t))
    return out
