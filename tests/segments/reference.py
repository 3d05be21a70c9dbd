"""The brute-force statement of what a segment means: plain Python over every profile and
every event, no SQL, no bitmaps. The engine must agree with it (test_reference.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from backend.segments.values import MISSING, compare, lookup, parse_when


def _in_window(c: dict, ts: datetime, now: datetime) -> bool:
    if c.get("days") is not None:
        return ts >= now - timedelta(days=c["days"])
    if c.get("since") is not None:
        return ts >= parse_when(c["since"])
    if c.get("between") is not None:
        a, b = parse_when(c["between"][0]), parse_when(c["between"][1])
        return a <= ts < datetime(b.year, b.month, b.day) + timedelta(days=1)
    return True


def _holds(op: str, x: float, v: float) -> bool:
    return {"gte": x >= v, "gt": x > v, "lte": x <= v, "lt": x < v, "eq": x == v}[op]


def meets(
    c: dict, p: dict, events: list[dict], lists: dict, segments: dict, now, new_customer=None
) -> bool:
    """new_customer: the figures of a profile without its own predictions (p["predictions"]
    None) while the account's fit met the gates; None: such a profile has no predictions."""
    kind = c["type"]
    if kind == "metric":
        total = 0.0
        for e in events:
            if e["profile_id"] != p["id"] or e["metric"] != c["metric"]:
                continue
            if not _in_window(c, e["ts"], now):
                continue
            if not all(
                compare(w["op"], lookup(e["properties"], w["field"]), w.get("value"))
                for w in c.get("where") or []
            ):
                continue
            total += (e["revenue"] or 0) if c.get("measure") == "revenue" else 1
        return _holds(c["op"], total, c["value"])
    if kind == "property":
        field = c["field"]
        if field.startswith("traits."):
            actual = lookup(p["traits"], field[7:])
        else:
            actual = {"email": p["email"], "country": p["country"], "created": p["created"]}[field]
        return compare(c["op"], MISSING if actual is None else actual, c.get("value"))
    if kind == "list":
        return (p["id"] in lists.get(c["list"], set())) == c.get("member", True)
    if kind == "segment":
        return (p["id"] in segments[c["segment"]]) == c.get("member", True)
    if kind == "prediction":
        figures = p["predictions"] if p["predictions"] is not None else new_customer or {}
        actual = figures.get(c["field"])
        return compare(c["op"], MISSING if actual is None else actual, c.get("value"))
    if kind == "email_status":
        return (p.get("email_status") or "never_subscribed") in c["in"]
    raise AssertionError(kind)


def members(conditions, profiles, events, lists, segments, now, new_customer=None) -> set[int]:
    return {
        p["id"]
        for p in profiles
        if all(
            any(meets(c, p, events, lists, segments, now, new_customer) for c in group)
            for group in conditions
        )
    }
