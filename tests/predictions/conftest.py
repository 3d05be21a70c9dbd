"""A store with an order history: profiles and `Placed Order` events written as the aggregator
stores them, from backend/demo/purchasing.py's simulated customers."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert

from backend.demo.purchasing import simulate
from backend.store.db import utcnow
from backend.store.models import Event, Profile


def add_orders(db, account_id: str, orders: list[tuple[str, datetime, object]]) -> dict[str, int]:
    """orders: (e-mail, time, revenue as sent: a number, a string, None...). Returns the
    profile id of each e-mail."""
    ids: dict[str, int] = {}
    with db.session() as s:
        for email in dict.fromkeys(e for e, _, _ in orders):
            p = Profile(account_id=account_id, email=email, traits={})
            s.add(p)
            s.flush()
            ids[email] = p.id
        rows = []
        for n, (email, ts, revenue) in enumerate(orders):
            number = revenue if isinstance(revenue, int | float) else None
            rows.append(
                {
                    "account_id": account_id,
                    "message_id": f"order-{email}-{n}",
                    "profile_id": ids[email],
                    "metric": "Placed Order",
                    "ts": ts,
                    "revenue": None if number is None else float(number),
                    "properties": {"revenue": revenue},
                }
            )
        if rows:  # one executemany: the ORM's unit of work took seconds for 600 customers
            s.execute(insert(Event), rows)
    return ids


def simulated_orders(customers: int, days: int, seed: int = 7, now: datetime | None = None):
    now = now or utcnow()
    start = now - timedelta(days=days)
    sim = simulate(customers, days, seed=seed)
    return [
        (f"c{c}@shop.test", start + timedelta(days=float(d)), float(r))
        for c, d, r in zip(sim.customer, sim.day, sim.revenue, strict=True)
    ]


@pytest.fixture
def store_with_history(runtime, account):
    """600 customers over 400 days (passes every gate), plus one profile that never ordered."""
    ids = add_orders(runtime.db, account.id, simulated_orders(600, 400))
    with runtime.db.session() as s:
        p = Profile(account_id=account.id, email="browser@shop.test", traits={})
        s.add(p)
        s.flush()
        ids["browser@shop.test"] = p.id
    return ids
