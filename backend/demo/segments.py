"""The demo store's segments, the ones a marketer builds first: VIP customers, at-risk
customers, engaged non-buyers and new subscribers. Created once, after the seed (their
conditions name metrics the seed made); a segment whose metric is missing is left out."""

from __future__ import annotations

from sqlalchemy import select

from backend.errors import Invalid
from backend.segments import service
from backend.store.segment_models import Segment


def _did(metric: str, op: str, value: float, days: int | None = None, **kw) -> dict:
    c = {"type": "metric", "metric": metric, "measure": "count", "op": op, "value": value, **kw}
    if days:
        c["days"] = days
    return c


DEMO_SEGMENTS = [
    # Spent $300 or more, or ordered three times or more, ever.
    (
        "VIP customers",
        [[_did("Placed Order", "gte", 300, measure="revenue"), _did("Placed Order", "gte", 3)]],
    ),
    # Ordered before, but not in the last 60 days.
    (
        "At-risk customers",
        [[_did("Placed Order", "gte", 1)], [_did("Placed Order", "eq", 0, 60)]],
    ),
    # Open or click e-mail, or browse products, but never bought.
    (
        "Engaged non-buyers",
        [
            [
                _did("Opened Email", "gte", 1, 30),
                _did("Clicked Email", "gte", 1, 30),
                _did("Viewed Product", "gte", 3, 30),
            ],
            [_did("Placed Order", "eq", 0)],
        ],
    ),
    # Signed up through a form in the last 14 days.
    ("New subscribers", [[_did("Submitted Form", "gte", 1, 14)]]),
]


def create_demo_segments(runtime, account_id: str) -> list[int]:
    """Create the demo segments the account does not have yet; returns their ids."""
    ids = []
    with runtime.db.session() as s:
        have = set(s.scalars(select(Segment.name).where(Segment.account_id == account_id)))
    for name, conditions in DEMO_SEGMENTS:
        if name in have:
            continue
        try:
            with runtime.db.session() as s:
                ids.append(
                    service.create(s, account_id, {"name": name, "conditions": conditions}).id
                )
        except Invalid:
            continue  # a metric the seed did not make (a very small seed)
    return ids
