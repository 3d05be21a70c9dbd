"""A/B tests of subjects: a test share of the audience gets the variants (A-D), the rest
(variant W) waits; `pick_after_minutes` after the test share is sent, the variant with the
highest rate of human opens (or clicks) per e-mail sent wins and goes to the rest."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from backend.campaigns import engagement
from backend.campaigns.audience import VARIANTS
from backend.store.campaign_models import HOLD, PENDING, SENDING, SENT, Campaign, CampaignRecipient

R = CampaignRecipient


def subject_of(c: Campaign, variant: str) -> str:
    if not c.ab:
        return c.subject
    subjects = c.ab["subjects"]
    if variant == HOLD:
        variant = c.winner or "A"
    return subjects[VARIANTS.index(variant)]


def sendable_variants(s: Session, c: Campaign, now: datetime) -> list[str] | None:
    """None: every recipient may go now; a list: only those variants; []: wait (the test
    share is out, the winner not yet picked)."""
    if not c.ab or c.winner:
        return None
    tests = list(VARIANTS[: len(c.ab["subjects"])])
    busy = s.scalar(
        select(
            exists().where(
                and_(R.campaign_id == c.id, R.variant.in_(tests), R.state.in_((PENDING, SENDING)))
            )
        )
    )
    if busy:
        return tests
    if c.test_done_at is None:
        c.test_done_at = now
    if now < c.test_done_at + timedelta(minutes=float(c.ab["pick_after_minutes"])):
        return []
    c.winner = pick_winner(s, c)
    return None


def variant_rates(s: Session, c: Campaign) -> dict[str, dict]:
    """{variant: {"sent", "opened", "clicked", "open_rate", "click_rate"}} for the test."""
    sent = dict(
        s.execute(
            select(R.variant, func.count())
            .where(R.campaign_id == c.id, R.state == SENT)
            .group_by(R.variant)
        ).all()
    )
    acted = engagement.by_variant(s, c)
    out = {}
    for v in VARIANTS[: len(c.ab["subjects"])] if c.ab else "A":
        n = sent.get(v, 0)
        o, k = acted.get(v, {}).get("opened", 0), acted.get(v, {}).get("clicked", 0)
        out[v] = {
            "sent": n,
            "opened": o,
            "clicked": k,
            "open_rate": o / n if n else 0.0,
            "click_rate": k / n if n else 0.0,
        }
    return out


def pick_winner(s: Session, c: Campaign) -> str:
    key = "click_rate" if c.ab.get("by") == "clicks" else "open_rate"
    rates = variant_rates(s, c)
    # Ties go to the earlier variant: A is the marketer's first choice.
    return max(rates, key=lambda v: (rates[v][key], -VARIANTS.index(v)))
