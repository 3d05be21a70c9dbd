"""Holdout backtest: fit on the first two thirds of the order history, predict each customer's
orders in the last third, and compare with what they did, by purchase-frequency bucket."""

from __future__ import annotations

import numpy as np

from backend.predictions.data import Orders, occasions_of, summarise
from backend.predictions.models import BetaGeo
from backend.predictions.score import WEEK, rfm_weeks

BUCKETS = ("1", "2", "3", "4", "5", "6", "7+")  # orders (occasions) in the calibration period


def run(orders: Orders, today: float) -> dict | None:
    """{"calibration_end", "holdout_days", "buckets": [{"orders", "customers", "predicted",
    "actual"}] (mean orders per customer in the holdout), "error", "predicted_total",
    "actual_total"}; None when the calibration period has too few customers to fit."""
    start = float(np.floor(orders.day.min()))
    cutoff = float(np.floor(start + (today - start) * 2 / 3))
    calibration = summarise(orders.before(cutoff))
    if len(calibration) < 20 or (calibration.x > 0).sum() < 5:
        return None
    model = BetaGeo.fit(*rfm_weeks(calibration, cutoff))
    holdout_days = today - cutoff
    predicted = model.expected_purchases(holdout_days / WEEK, *rfm_weeks(calibration, cutoff))

    # Actual: purchase occasions (distinct days) in the holdout of the calibration's customers.
    later = orders.day >= cutoff
    known = np.isin(orders.profile_id, calibration.profile_id) & later
    idx = np.searchsorted(calibration.profile_id, orders.profile_id[known])
    occ_cust, _, _ = occasions_of(idx, orders.day[known])
    actual = np.bincount(occ_cust, minlength=len(calibration)).astype(float)

    bucket = np.minimum(calibration.x + 1, len(BUCKETS)) - 1
    rows = []
    for i, label in enumerate(BUCKETS):
        members = bucket == i
        if members.any():
            rows.append(
                {
                    "orders": label,
                    "customers": int(members.sum()),
                    "predicted": float(predicted[members].mean()),
                    "actual": float(actual[members].mean()),
                }
            )
    # One figure: how far the bucket means are off, weighted by customers, relative to what
    # happened (0.1 = predictions off by 10% of the actual orders).
    off = sum(r["customers"] * abs(r["predicted"] - r["actual"]) for r in rows)
    total_actual = float(actual.sum())
    return {
        "calibration_end": cutoff,
        "holdout_days": holdout_days,
        "customers": len(calibration),
        "buckets": rows,
        "error": off / total_actual if total_actual else None,
        "predicted_total": float(predicted.sum()),
        "actual_total": total_actual,
    }
