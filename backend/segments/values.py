"""Comparing one value against a condition's: the same rules for profile properties, event
properties and predictions, in the segment engine and in flow conditions
(backend/flows/conditions.py checks one profile at a time with these), so a condition means
the same wherever a marketer writes it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

MISSING = object()


def lookup(data: Any, path: str) -> Any:
    """A dotted path into nested dicts, or MISSING."""
    value = data
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return MISSING
        value = value[part]
    return value


def number(v: Any) -> float | None:
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


def parse_when(v: Any) -> datetime | None:
    """An ISO date or date-time (naive UTC), or None."""
    if isinstance(v, datetime):
        return v.replace(tzinfo=None)
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day)
    if not isinstance(v, str):
        return None
    try:
        parsed = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = (parsed - parsed.utcoffset()).replace(tzinfo=None)
    return parsed


def compare(op: str, actual: Any, expected: Any) -> bool:
    """Numbers compare as numbers (also when sent as strings), text case-insensitively.
    A missing or null value meets only `ne` and `not_exists`."""
    if op == "exists":
        return actual is not MISSING and actual is not None
    if op == "not_exists":
        return actual is MISSING or actual is None
    if actual is MISSING or actual is None:
        return op == "ne"
    if isinstance(actual, datetime):
        return _compare_when(op, actual, expected)
    if op in ("eq", "ne"):
        a, e = number(actual), number(expected)
        same = (
            a == e
            if a is not None and e is not None
            else str(actual).lower() == str(expected).lower()
        )
        return same if op == "eq" else not same
    if op == "contains":
        if isinstance(actual, list):
            return any(compare("eq", item, expected) for item in actual)
        return str(expected).lower() in str(actual).lower()
    if op == "in":
        return isinstance(expected, list) and any(compare("eq", actual, e) for e in expected)
    a, e = number(actual), number(expected)
    if a is None or e is None:
        return False
    return {"gt": a > e, "gte": a >= e, "lt": a < e, "lte": a <= e}[op]


def _compare_when(op: str, actual: datetime, expected: Any) -> bool:
    """Dates: `eq` is the same day; the rest compare the instants (a date is its midnight)."""
    if op == "in":
        return isinstance(expected, list) and any(_compare_when("eq", actual, e) for e in expected)
    e = parse_when(expected)
    if e is None:
        return op == "ne"
    if op in ("eq", "ne"):
        same = actual.date() == e.date()
        return same if op == "eq" else not same
    if op == "contains":
        return False
    return {"gt": actual > e, "gte": actual >= e, "lt": actual < e, "lte": actual <= e}[op]
