"""Evaluate flow conditions: on profile traits, event properties, country, and
"did METRIC at least / fewer than N times in the last D days" over the raw events."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.store.models import Event, Profile

_MISSING = object()


def _lookup(field: str, profile: Profile, event: dict) -> Any:
    if field == "country":
        return profile.country if profile.country else _MISSING
    source, _, path = field.partition(".")
    value: Any = (profile.traits or {}) if source == "traits" else (event or {})
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _num(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return None
    return None


def compare(op: str, actual: Any, expected: Any) -> bool:
    if op == "exists":
        return actual is not _MISSING and actual is not None
    if actual is _MISSING:
        return op == "ne"
    if op in ("eq", "ne"):
        a, e = _num(actual), _num(expected)
        same = (
            (a == e)
            if a is not None and e is not None
            else str(actual).lower() == str(expected).lower()
        )
        return same if op == "eq" else not same
    if op == "contains":
        if isinstance(actual, list):
            return expected in actual
        return str(expected).lower() in str(actual).lower()
    if op == "in":
        return isinstance(expected, list) and any(compare("eq", actual, e) for e in expected)
    a, e = _num(actual), _num(expected)
    if a is None or e is None:
        return False
    return {"gt": a > e, "gte": a >= e, "lt": a < e, "lte": a <= e}[op]


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
    for c in conds or []:
        if "metric" in c:
            n = metric_count(session, profile.id, c["metric"], int(c["days"]), now)
            ok = {"gte": n >= c["count"], "lt": n < c["count"], "eq": n == c["count"]}[c["op"]]
        else:
            ok = compare(c["op"], _lookup(c["field"], profile, event), c.get("value"))
        if not ok:
            return False
    return True
