"""The events a form records through ingestion: shown, submitted, joined its list."""

from __future__ import annotations

from datetime import datetime

from backend.lists import LIST_METRIC
from backend.store.form_models import Form

VIEWED, SUBMITTED, SUBSCRIBED = "Viewed Form", "Submitted Form", LIST_METRIC


def form_event(
    metric: str,
    form: Form,
    visitor: str,
    message_id: str,
    ts: datetime,
    traits: dict | None = None,
    **props,
) -> dict:
    return {
        "type": "track",
        "event": metric,
        "anonymousId": visitor,
        "messageId": message_id,
        "timestamp": ts.isoformat() + "Z",
        "properties": {"$form": str(form.id), "form": form.name, **props},
        "context": {"traits": traits or {}},
    }
