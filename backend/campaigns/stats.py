"""A campaign's numbers: the recipients' states from the sender's ledger, and what they did
from the events the e-mail layer records (opens, clicks, unsubscribes, bounces, revenue)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.store.campaign_models import Campaign, CampaignRecipient

STATES = ("pending", "sending", "sent", "failed", "skipped", "unknown", "suppressed")


def states(s: Session, campaign_id: int, variant: bool = False) -> dict:
    cols = [CampaignRecipient.state, func.count()]
    if variant:
        cols.insert(0, CampaignRecipient.variant)
    q = select(*cols).where(CampaignRecipient.campaign_id == campaign_id)
    q = q.group_by(*cols[:-1])
    if not variant:
        return dict.fromkeys(STATES, 0) | dict(s.execute(q).all())
    out: dict[str, dict] = {}
    for v, st, n in s.execute(q):
        out.setdefault(v, dict.fromkeys(STATES, 0))[st] = n
    return out


def stats(s: Session, c: Campaign) -> dict:
    st = states(s, c.id)
    total = sum(st.values())
    from backend.campaigns import engagement

    eng = engagement.totals(s, c)
    return {
        "recipients": total - st["suppressed"],
        "sent": st["sent"],
        "failed": st["failed"],
        "unknown": st["unknown"],
        "suppressed": st["suppressed"],
        "skipped": st["skipped"],
        **eng,
    }
