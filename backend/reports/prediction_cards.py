"""Prediction cards (CLV distribution, top predicted customers) in every export: what the
card view, the CSV and the interactive HTML's data show. Their figures come from the stored
predictions (backend/predictions/cards.py), not from counters."""

from __future__ import annotations

from backend.dashboards.query import CardData
from backend.predictions.cards import PredictionCard, customer_label, summary
from backend.reports.text import full, human

# Columns a top-customers card adds to the CSV (after card, series, t, count, revenue).
EXTRA_COLUMNS = ["profile_id", "expected_orders", "churn_risk"]


def is_prediction(data: CardData) -> bool:
    return data.predictions is not None


def bucket_label(low: float, high: float) -> str:
    return f"{human(low, True)}–{human(high, True)}"


def customer_line(c: dict) -> str:
    return (
        f"{full(c['predicted_clv'], True)} · {c['expected_orders']:.1f} orders · "
        f"{c['churn_probability'] * 100:.0f}% churn risk"
    )


def view(pc: PredictionCard) -> dict:
    """The keys of static_html.card_view a prediction card sets its own way."""
    fitted = f"fitted {pc.fitted_at[:10]}" if pc.fitted_at else "not fitted yet"
    if pc.blocked:
        rows = [(pc.blocked, "See Settings › Predictions")]
        total = "–"
    elif pc.kind == "top_customers":
        rows = [(customer_label(c), customer_line(c)) for c in pc.customers]
        total = f"{len(pc.customers):,} customers"
    else:
        rows = None
        total = f"median {full(pc.median or 0, True)}"
    return {
        "measure": "Predictions",
        "range": fitted,
        "total": total,
        "change": None,
        "note": summary(pc),
        "rows": rows,
    }


def csv_rows(title: str, pc: PredictionCard, extra: bool) -> list[list]:
    """One row per bucket (series = CLV range, count = profiles, revenue = their CLV) or per
    customer (series = name or e-mail, revenue = predicted CLV, count = expected orders
    rounded; exact figures in the extra columns)."""
    t = pc.fitted_at or ""
    pad = [""] * len(EXTRA_COLUMNS) if extra else []
    if pc.kind == "top_customers":
        return [
            [
                title,
                customer_label(c),
                t,
                round(c["expected_orders"]),
                round(c["predicted_clv"], 2),
                *(
                    [c["id"], round(c["expected_orders"], 3), round(c["churn_probability"], 4)]
                    if extra
                    else []
                ),
            ]
            for c in pc.customers
        ]
    return [
        [title, bucket_label(b.low, b.high), t, b.profiles, round(b.clv, 2), *pad]
        for b in pc.buckets
    ]


def points(pc: PredictionCard) -> list[dict]:
    """The interactive HTML's downloadable data for the card."""
    if pc.kind == "top_customers":
        return [
            {
                "customer": customer_label(c),
                "profile_id": c["id"],
                "predicted_clv": round(c["predicted_clv"], 2),
                "expected_orders": round(c["expected_orders"], 3),
                "churn_risk": round(c["churn_probability"], 4),
            }
            for c in pc.customers
        ]
    return [
        {"clv": bucket_label(b.low, b.high), "profiles": b.profiles, "clv_total": round(b.clv, 2)}
        for b in pc.buckets
    ]
