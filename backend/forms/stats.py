"""Each form's numbers from the counters: views, submissions, conversion rate."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from backend.counters import counter_store
from backend.counters.base import hour_floor
from backend.forms.service import FORM_DIMENSION, list_forms
from backend.store.db import utcnow

VIEWED = "Viewed Form"
SUBMITTED = "Submitted Form"


def _per_form(store, account_id: str, metric: str, start, end) -> dict[str, int]:
    out: dict[str, int] = {}
    for (value, _hour), totals in store.read(
        account_id, metric, FORM_DIMENSION, start, end
    ).items():
        out[value] = out.get(value, 0) + totals.count
    return out


def form_numbers(runtime, session: Session, account_id: str) -> dict[int, dict]:
    """{form id: {"views", "submits", "conversion"}} since the oldest form was created."""
    forms = list_forms(session, account_id)
    if not forms:
        return {}
    start = hour_floor(min(f.created_at for f in forms))
    end = hour_floor(utcnow()) + timedelta(hours=1)
    store = counter_store(runtime)
    views = _per_form(store, account_id, VIEWED, start, end)
    submits = _per_form(store, account_id, SUBMITTED, start, end)
    out = {}
    for f in forms:
        v, n = views.get(str(f.id), 0), submits.get(str(f.id), 0)
        out[f.id] = {"views": v, "submits": n, "conversion": round(n / v, 4) if v else None}
    return out
