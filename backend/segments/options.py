"""Choices the segment builder offers: the account's metrics, lists, profile trait names,
other segments, and the prediction fields."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.analytics.metrics import list_metrics
from backend.store.models import Event, List, Profile
from backend.store.prediction_models import PREDICTION_FIELDS, PredictionFit
from backend.store.segment_models import Segment

TRAIT_SAMPLE = 2000  # profiles looked at for trait names: enough for a shop's usual traits
EVENT_SAMPLE = 500  # a metric's latest events looked at for property names (index-ordered)


def builder_options(s: Session, account_id: str, exclude_segment: int | None = None) -> dict:
    traits: set[str] = set()
    rows = s.scalars(
        select(Profile.traits)
        .where(Profile.account_id == account_id)
        .order_by(Profile.id.desc())
        .limit(TRAIT_SAMPLE)
    )
    for t in rows:
        traits.update(k for k in (t or {}) if isinstance(k, str) and k != "email")
    return {
        "metrics": [m["name"] for m in list_metrics(s, account_id)],
        "lists": list(
            s.scalars(select(List.name).where(List.account_id == account_id).order_by(List.name))
        ),
        "traits": sorted(traits),
        "segments": [
            {"id": seg.id, "name": seg.name}
            for seg in s.scalars(
                select(Segment).where(Segment.account_id == account_id).order_by(Segment.name)
            )
            if seg.id != exclude_segment
        ],
        "predictions": list(PREDICTION_FIELDS),
    }


def segment_choices(s: Session, account_id: str) -> list[tuple[int, str]]:
    """(id, name) of the account's segments by name: what a flow condition may test."""
    return list(
        s.execute(
            select(Segment.id, Segment.name)
            .where(Segment.account_id == account_id)
            .order_by(Segment.name)
        ).tuples()
    )


def event_properties(s: Session, account_id: str, metric: str) -> list[str]:
    """The property names seen on the metric's latest events, nested ones dotted
    ("item.sku"): what a metric condition's `where` filters may test."""
    names: set[str] = set()
    rows = s.scalars(
        select(Event.properties)
        .where(Event.account_id == account_id, Event.metric == metric)
        .order_by(Event.ts.desc())
        .limit(EVENT_SAMPLE)
    )
    for props in rows:
        for key, value in (props or {}).items():
            if not isinstance(key, str):
                continue
            if isinstance(value, dict):
                names.update(f"{key}.{k}" for k in value if isinstance(k, str))
            else:
                names.add(key)
    return sorted(names)


def predictions_ready(s: Session, account_id: str) -> bool:
    """Whether the account's profiles have predictions to test (its data passed the gates)."""
    fit = s.get(PredictionFit, account_id)
    return fit is not None and fit.fitted_at is not None and fit.status != "not_enough_data"
