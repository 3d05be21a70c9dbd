"""Plain words for the prediction fields, for every picker that offers them (the segment
builder, the flow builder's conditions): a marketer reads "Churn risk", not a column name."""

from __future__ import annotations

from backend.store.prediction_models import PREDICTION_FIELDS

PREDICTION_LABELS = {
    "historic_clv": "Historic CLV",
    "predicted_clv": "Predicted CLV",
    "total_clv": "Total CLV",
    "expected_orders": "Expected orders (next 365 days)",
    "churn_probability": "Churn risk",
    "expected_next_order": "Expected next order date",
    "average_order_value": "Average order value",
}


def prediction_label(field: str) -> str:
    return PREDICTION_LABELS.get(field, field.replace("_", " ").capitalize())


def prediction_choices() -> list[dict]:
    """[{"value", "label"}] for a Select, in the store's order."""
    return [{"value": f, "label": prediction_label(f)} for f in PREDICTION_FIELDS]
