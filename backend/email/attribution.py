"""Revenue an e-mail earned: a `Placed Order` within TALLY_ATTRIBUTION_DAYS (5) of a
person's open or click of it. One attribution per order, to the last touch before it, so
two e-mails never both claim the same money. Flows' reports use it; so do campaigns.

Touches are read from the stored events (machine opens and clicks excluded), for the whole
account: an order goes to its last touch even when that was another flow or campaign.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.email.events import CLICKED, OPENED, email_key
from backend.store.models import Event

ORDER = "Placed Order"


def attribute(
    s: Session, account_id: str, start: datetime, end: datetime, days: float = 5.0
) -> dict[str, dict]:
    """{email key ("f12:welcome", "c7:A"): {"orders", "revenue"}} for the orders placed in
    [start, end) (naive UTC), each credited to its last human touch within `days`."""
    window = timedelta(days=days)
    touches: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for pid, ts, props in s.execute(
        select(Event.profile_id, Event.ts, Event.properties)
        .where(
            Event.account_id == account_id,
            Event.metric.in_((OPENED, CLICKED)),
            Event.ts >= start - window,
            Event.ts < end,
        )
        .order_by(Event.ts)
    ):
        if pid is None or not isinstance(props, dict) or props.get("machine"):
            continue
        source = _source(props)
        if source:
            touches[pid].append((ts, email_key(source)))
    out: dict[str, dict] = {}
    if not touches:
        return out
    for pid, ts, revenue in s.execute(
        select(Event.profile_id, Event.ts, Event.revenue).where(
            Event.account_id == account_id,
            Event.metric == ORDER,
            Event.ts >= start,
            Event.ts < end,
            Event.profile_id.in_(list(touches)),
        )
    ):
        mine = touches.get(pid)
        if not mine:
            continue
        i = bisect_right(mine, (ts, "\uffff")) - 1  # the last touch at or before the order
        if i < 0 or ts - mine[i][0] > window:
            continue
        row = out.setdefault(mine[i][1], {"orders": 0, "revenue": 0.0})
        row["orders"] += 1
        row["revenue"] += float(revenue or 0)
    return out


def _source(props: dict) -> dict | None:
    if props.get("campaign") is not None:
        return {"campaign": props["campaign"], "variant": props.get("variant")}
    if props.get("flow") is not None and props.get("node") is not None:
        return {"flow": props["flow"], "node": props["node"]}
    return None
