"""The demo store's live flows: the welcome series (on newsletter sign-ups from the demo
storefront's popup) and the post-purchase thank-you with its big-spender branch."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.flows import service
from backend.flows.starters import TEMPLATES

DEMO_FLOWS = ("welcome", "post_purchase")
# The demo storefront (tally demo --storefront-port): each demo e-mail links to it, so a
# click on a kept .eml counts, and lands somewhere (docs/email.md).
DEMO_SHOP = "http://127.0.0.1:8051/"


def _with_shop_link(defn: dict) -> dict:
    for node in defn.get("nodes", []):
        if node.get("type") == "email":
            node["body"] = node.get("body", "").rstrip() + f"\n\nVisit the shop: {DEMO_SHOP}"
    return defn


def create_demo_flows(s: Session, account_id: str) -> list[int]:
    ids = []
    for key in DEMO_FLOWS:
        flow = service.create(s, account_id, _with_shop_link(TEMPLATES[key].build()))
        s.flush()
        service.activate(s, account_id, flow.id)
        ids.append(flow.id)
    return ids
