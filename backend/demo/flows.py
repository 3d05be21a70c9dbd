"""The demo store's live flows: the welcome series (on newsletter sign-ups from the demo
storefront's popup) and the post-purchase thank-you with its big-spender branch."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.flows import service
from backend.flows.starters import TEMPLATES

DEMO_FLOWS = ("welcome", "post_purchase")


def create_demo_flows(s: Session, account_id: str) -> list[int]:
    ids = []
    for key in DEMO_FLOWS:
        flow = service.create(s, account_id, TEMPLATES[key].build())
        s.flush()
        service.activate(s, account_id, flow.id)
        ids.append(flow.id)
    return ids
