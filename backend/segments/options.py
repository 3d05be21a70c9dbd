"""Choices the segment builder offers: the account's metrics, lists, profile trait names,
other segments, and the prediction fields."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.analytics.metrics import list_metrics
from backend.store.models import List, Profile
from backend.store.prediction_models import PREDICTION_FIELDS
from backend.store.segment_models import Segment

TRAIT_SAMPLE = 2000  # profiles looked at for trait names: enough for a shop's usual traits


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
