"""Evaluate flow conditions on one profile: traits, event properties, country, predictions
(`predictions.NAME`), segment membership, and "did METRIC at least / fewer than N times in
the last D days" over the raw events.

Values compare exactly as in segments (backend/segments/values.py, one module for both), so
"churn risk > 0.6" means the same in a flow split and in a segment."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.predictions import read
from backend.segments.values import MISSING, compare, lookup
from backend.store.models import Event, Profile
from backend.store.prediction_models import PREDICTION_FIELDS, ProfilePrediction
from backend.store.segment_models import SegmentMember


class _Reads:
    """What a condition list reads beyond the profile, fetched at most once per check."""

    def __init__(self, session: Session, profile: Profile):
        self.s, self.profile = session, profile
        self._prediction: Any = MISSING

    def prediction(self) -> dict | None:
        """The profile's predictions by field; without a row (a profile created since the
        last fit), the new customer's, as the profile API shows; None while gates are unmet."""
        if self._prediction is MISSING:
            row = self.s.scalar(
                select(ProfilePrediction).where(ProfilePrediction.profile_id == self.profile.id)
            )
            if row is not None:
                self._prediction = {f: getattr(row, f) for f in PREDICTION_FIELDS}
            else:
                self._prediction = read.new_customer(self.s, self.profile.account_id)
        return self._prediction

    def value(self, field: str, event: dict) -> Any:
        """The profile's (or event's) value of `field`, or MISSING; null counts as missing."""
        if field == "country":
            return self.profile.country or MISSING
        source, _, path = field.partition(".")
        if source == "predictions":
            figures = self.prediction()  # none: the account's data did not pass the gates
            v = (figures or {}).get(path)
        elif source == "traits":
            v = lookup(self.profile.traits or {}, path)
        else:
            v = lookup(event or {}, path)
        return MISSING if v is None else v

    def in_segment(self, segment_id: Any) -> bool:
        return (
            self.s.scalar(
                select(SegmentMember.id).where(
                    SegmentMember.segment_id == segment_id,
                    SegmentMember.profile_id == self.profile.id,
                )
            )
            is not None
        )


def metric_count(session: Session, profile_id: int, metric: str, days: int, now: datetime) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Event)
        .where(
            Event.profile_id == profile_id,
            Event.metric == metric,
            Event.ts >= now - timedelta(days=days),
            Event.ts <= now,
        )
    )


def matches(
    conds: list | None, session: Session, profile: Profile, event: dict, now: datetime
) -> bool:
    """True when every condition holds (an empty list always holds)."""
    reads = _Reads(session, profile)
    for c in conds or []:
        if "metric" in c:
            n = metric_count(session, profile.id, c["metric"], int(c["days"]), now)
            ok = {"gte": n >= c["count"], "lt": n < c["count"], "eq": n == c["count"]}[c["op"]]
        elif "segment" in c:  # the stored membership (backend/segments keeps it fresh)
            ok = reads.in_segment(c["segment"]) == c.get("member", True)
        else:
            ok = compare(c["op"], reads.value(c["field"], event), c.get("value"))
        if not ok:
            return False
    return True
