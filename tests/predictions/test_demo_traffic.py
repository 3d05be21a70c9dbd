"""The demo's storefront traffic (backend/demo/traffic.py, visitor.py): customers who ordered
come back and order again at their own BG/NBD rates, so a fit on that traffic alone passes a
holdout backtest in total; and the traffic stays in order, in the past, deterministic."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from backend.demo.traffic import generate
from backend.predictions import backtest
from backend.predictions.data import Orders, summarise, to_day

END = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)  # a fixed clock: same traffic every run


def orders_of(messages: list[dict]) -> tuple[Orders, list[str]]:
    users, days, revenue = [], [], []
    for m in messages:
        if m.get("event") == "Placed Order":
            users.append(m["userId"])
            ts = datetime.fromisoformat(m["timestamp"].rstrip("Z"))
            days.append(to_day(ts))
            revenue.append(m["properties"]["revenue"])
    ids = {u: i for i, u in enumerate(dict.fromkeys(users))}
    return (
        Orders(np.array([ids[u] for u in users]), np.array(days), np.array(revenue)),
        users,
    )


def test_returning_customers_order_again_and_the_backtest_holds():
    messages = [m for batch in generate(60_000, 90, END, seed=3) for m in batch]
    assert len(messages) == 60_000
    stamps = [m["timestamp"] for m in messages]
    assert max(stamps) < END.replace(tzinfo=None).isoformat()
    orders, users = orders_of(messages)
    customers = summarise(orders)
    # One-off orders were 92% of customers before; the BG/NBD story gives about a third
    # with a repeat within 90 days (rates ~ Gamma(0.9, 1/60) a day).
    repeat_share = float((customers.orders >= 2).mean())
    assert 0.2 < repeat_share < 0.6, repeat_share
    # Rates differ from customer to customer: some buy far more often than the average.
    assert customers.orders.max() >= 5
    # Fitted on the first 60 days, the model predicts the last 30 days' orders in all. (The
    # per-bucket error needs more customers than this test's ~550 to settle: docs/predictions.md
    # has it at the demo's size.)
    trial = backtest.run(orders, float(np.floor(to_day(END.replace(tzinfo=None)))))
    assert trial is not None
    off = abs(trial["predicted_total"] - trial["actual_total"]) / trial["actual_total"]
    assert off < 0.25, trial


def test_the_traffic_is_the_same_for_the_same_seed():
    a = [m["timestamp"] + m.get("event", "") for b in generate(4_000, 20, END, seed=5) for m in b]
    b = [m["timestamp"] + m.get("event", "") for b in generate(4_000, 20, END, seed=5) for m in b]
    assert a == b


def test_a_rate_near_zero_means_not_coming_back_rather_than_an_overflow():
    import random

    from backend.demo.visitor import Visitor, plan_return

    v = Visitor(anonymous_id="a", country="US", zone=None, ip="192.0.2.1")
    v.rate, v.lapse = 1e-9, 0.0  # Gamma(0.9, 1/60) gives rates this small now and then
    assert plan_return(random.Random(2), v, datetime(2026, 1, 1)) is None
    assert v.returns_at is None
