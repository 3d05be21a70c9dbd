"""A store's customers buying as the BG/NBD and Gamma-Gamma stories say real ones do: each
customer buys at their own rate while "alive", may lapse for good after any purchase, and
spends around their own typical amount. Seeded and vectorised (2M orders in about a second).

Used by the demo's order history, the prediction tests (a fit must recover the parameters
that made the data) and bench/clv.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

# Per-day purchase rate ~ Gamma(r, scale 1/alpha); drop-out after a purchase ~ Beta(a, b);
# spend: per customer nu ~ Gamma(q, scale 1/v), each order ~ Gamma(p, scale 1/nu).
# Defaults: a shop where the typical customer buys every few months and spends ~$60.
DEFAULTS = {"r": 0.9, "alpha": 60.0, "a": 0.8, "b": 3.0, "p": 6.0, "q": 4.0, "v": 30.0}


@dataclass
class Purchases:
    customer: np.ndarray  # int64 index 0..n-1, one entry per order
    day: np.ndarray  # float64 days from the start of the history
    revenue: np.ndarray  # float64


def simulate(
    customers: int,
    days: float,
    seed: int = 0,
    params: dict | None = None,
    arrivals: str = "uniform",
) -> Purchases:
    """Orders of `customers` customers over `days` days. Each customer's first order falls in
    the history (uniformly, or 'early': most in the first half); orders after `days` are cut."""
    k = {**DEFAULTS, **(params or {})}
    rng = np.random.default_rng(seed)
    if arrivals == "early":
        birth = rng.beta(1.0, 2.0, customers) * days
    else:
        birth = rng.uniform(0, days, customers)
    lam = rng.gamma(k["r"], 1.0 / k["alpha"], customers)
    drop = rng.beta(k["a"], k["b"], customers)
    nu = rng.gamma(k["q"], 1.0 / k["v"], customers)

    cust_parts, day_parts = [np.arange(customers)], [birth]
    t = birth.copy()
    active = np.arange(customers)
    first = True
    while len(active):
        # After each repeat purchase: lapse for good with probability p (BG/NBD: not after
        # the first purchase), else buy again after Exp(lam).
        if not first:
            stays = rng.random(len(active)) >= drop[active]
            active, t = active[stays], t[stays]
        first = False
        t = t + rng.exponential(1.0, len(active)) / np.maximum(lam[active], 1e-12)
        inside = t < days
        active, t = active[inside], t[inside]
        cust_parts.append(active)
        day_parts.append(t)
    customer = np.concatenate(cust_parts)
    day = np.concatenate(day_parts)
    revenue = np.round(rng.gamma(k["p"], 1.0 / nu[customer]), 2)
    order = np.lexsort((day, customer))
    return Purchases(customer[order], day[order], revenue[order])


def history_messages(
    customers: int = 2500, days: int = 400, end: datetime | None = None, seed: int = 0
) -> Iterator[list[dict]]:
    """The demo shop's order history before its web traffic: `customers` known customers (an
    identify each, with an e-mail) and their `Placed Order` events over the `days` days up to
    `end`, as Segment messages in batches of 500. Deterministic for a seed."""
    end = end or datetime.now(UTC)
    start = end - timedelta(days=days)
    sim = simulate(customers, days, seed=seed, arrivals="early")
    rng = np.random.default_rng(seed + 1)
    names = ("alex", "sam", "jo", "kim", "lee", "max", "ria", "noa", "eli", "ari")
    batch: list[dict] = []
    for c in range(customers):
        user = f"cust_{seed}_{c:05d}"
        batch.append(
            {
                "type": "identify",
                "userId": user,
                "messageId": f"hist-id-{user}",
                "timestamp": start.isoformat(),
                "traits": {"email": f"{names[c % len(names)]}.{c:05d}@customers.example"},
            }
        )
    for n, (c, day, revenue) in enumerate(zip(sim.customer, sim.day, sim.revenue, strict=True)):
        at = start + timedelta(days=float(day), minutes=float(rng.integers(0, 60)))
        batch.append(
            {
                "type": "track",
                "event": "Placed Order",
                "userId": f"cust_{seed}_{int(c):05d}",
                "messageId": f"hist-ord-{seed}-{n}",
                "timestamp": min(at, end).isoformat(),
                "properties": {
                    "order_id": f"hist_{seed}_{n:07d}",
                    "revenue": float(revenue),
                    "currency": "USD",
                },
            }
        )
    for i in range(0, len(batch), 500):
        yield batch[i : i + 500]


def seed_order_history(runtime, account_id: str, customers: int = 2500, days: int = 400) -> int:
    """Ingest the order history (history_messages) through the real pipeline, as /v1 would:
    the demo's predictions then pass their gates. Returns the messages folded."""
    from backend.ingest import ingestor

    ing = ingestor(runtime)
    for batch in history_messages(customers, days):
        ing.accept(account_id, batch)
    return ing.drain()
