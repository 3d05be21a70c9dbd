"""What the two prediction cards show, read from the stored predictions (no counters): how CLV
is spread across profiles, and the customers with the highest predicted CLV. Dashboards
(backend/dashboards/query.py), exports (backend/reports) and Settings -> Predictions all
draw from here."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.orm import Session

from backend.predictions import read
from backend.predictions.gates import TITLES
from backend.store.prediction_models import PredictionFit

KINDS = ("clv_distribution", "top_customers")
CLV_FIELDS = {"total": "total_clv", "predicted": "predicted_clv"}
BINS = 20


@dataclass(frozen=True)
class Bucket:
    low: float
    high: float
    profiles: int
    clv: float  # the bucket's profiles' CLV added up


@dataclass(frozen=True)
class PredictionCard:
    kind: str  # one of KINDS
    clv: str  # "total" | "predicted": which CLV the distribution shows
    status: str  # the fit's: not_fitted | fitting | ready | not_enough_data
    fitted_at: str | None
    # Why there is nothing to show (gates not met, never fitted), in words; None when shown.
    blocked: str | None = None
    buckets: tuple[Bucket, ...] = ()
    profiles: int = 0
    median: float | None = None
    top_share: float | None = None  # share of all CLV the top 10% of profiles hold
    customers: tuple[dict, ...] = field(default_factory=tuple)


def histogram(values, bins: int = BINS) -> tuple[Bucket, ...]:
    """Log-spaced buckets (CLV is heavy-tailed: linear ones put nearly everyone in the
    first). Values under $1 (a churned customer's predicted CLV) count in the first."""
    arr = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if not len(arr):
        return ()
    arr = np.maximum(arr, 0.0)
    edges = np.unique(np.geomspace(max(arr.min(), 1.0), max(arr.max(), 2.0), bins + 1))
    clipped = np.clip(arr, edges[0], edges[-1])
    counts, _ = np.histogram(clipped, bins=edges)
    sums, _ = np.histogram(clipped, bins=edges, weights=arr)
    lows = edges[:-1].copy()
    lows[0] = min(lows[0], float(arr.min()))
    return tuple(
        Bucket(float(lo), float(hi), int(c), float(s))
        for lo, hi, c, s in zip(lows, edges[1:], counts, sums, strict=True)
    )


def top_share(values, fraction: float = 0.1) -> float | None:
    """The share of all CLV held by the `fraction` of profiles with the most."""
    arr = np.sort(np.asarray([v for v in values if v is not None], dtype=float))[::-1]
    total = float(arr.sum())
    if not len(arr) or total <= 0:
        return None
    return float(arr[: max(1, math.ceil(len(arr) * fraction))].sum() / total)


def blocked_reason(fit: PredictionFit | None) -> str:
    """Why an account has no predictions to show, naming the unmet gates and their figures."""
    if fit is None or (fit.fitted_at is None and fit.status != "fitting"):
        return "Predictions have not been fitted yet."
    if fit.status == "fitting" and fit.fitted_at is None:
        return "Predictions are being fitted for the first time."
    unmet = [g for g in fit.gates or [] if not g.get("met")]
    if not unmet:
        return "The last fit left no predictions."
    return "Not enough order history yet: " + "; ".join(
        f"{TITLES.get(g['name'], g['name'])} not met ({g['detail']})" for g in unmet
    )


def load(session: Session, account_id: str, kind: str, clv: str = "total", top: int = 10):
    """The card's figures, or its `blocked` reason while the account has no predictions."""
    fit = session.get(PredictionFit, account_id)
    status = fit.status if fit else "not_fitted"
    fitted = read._iso(fit.fitted_at) if fit else None
    base = {"kind": kind, "clv": clv, "status": status, "fitted_at": fitted}
    if kind == "top_customers":
        customers = read.top_customers(session, account_id, limit=top)
        if not customers:
            return PredictionCard(**base, blocked=blocked_reason(fit))
        return PredictionCard(**base, customers=tuple(customers))
    values = read.clv_values(session, account_id, CLV_FIELDS[clv])
    if not values:
        return PredictionCard(**base, blocked=blocked_reason(fit))
    return PredictionCard(
        **base,
        buckets=histogram(values),
        profiles=len(values),
        median=float(np.median(values)),
        top_share=top_share(values),
    )


def customer_label(c: dict) -> str:
    """A person's name when their traits have one, else e-mail, external id, or #id."""
    traits = c.get("traits") or {}
    name = " ".join(
        str(traits[k]).strip() for k in ("first_name", "last_name") if traits.get(k)
    ).strip()
    return name or c.get("email") or c.get("user_id") or f"#{c['id']}"


def _money(v: float) -> str:
    return f"${v:,.2f}" if v < 100 else f"${v:,.0f}"


def summary(card: PredictionCard) -> str:
    """The card in one sentence: the distribution's median and top-10% share, or the list's
    size; the blocked reason when there is nothing to show."""
    if card.blocked:
        return card.blocked
    what = "total CLV" if card.clv == "total" else "predicted CLV (next 365 days)"
    if card.kind == "top_customers":
        return (
            f"The {len(card.customers)} customers with the highest predicted CLV over the "
            "next 365 days."
        )
    words = f"{card.profiles:,} profiles by {what}: the median is {_money(card.median or 0)}"
    if card.top_share is not None:
        words += f"; the top 10% hold {card.top_share * 100:.0f}% of it"
    return words + "."


# A dashboard of both cards (the demo store gets one: backend/demo/store.py).
DASHBOARD = {
    "name": "Customer value",
    "cards": [
        {"id": "clv", "chart": "clv_distribution", "x": 0, "y": 0, "w": 6, "h": 3},
        {"id": "top", "chart": "top_customers", "top": 10, "x": 6, "y": 0, "w": 6, "h": 3},
    ],
}
