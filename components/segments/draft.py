"""The builder's draft: each condition row as the form holds it (every input's value, also
those of other condition types, so switching type and back keeps what was typed), and the
conversions to and from the saved definition (docs/api.md, "Segments")."""

from __future__ import annotations

from typing import Any

NEW_ROW = {
    "type": "metric",
    "measure": "count",
    "op": "gte",
    "value": 1,
    "window": "days",
    "days": 30,
}

TYPE_LABELS = {
    "metric": "What someone has done",
    "property": "Property of someone",
    "list": "In a list or not",
    "email_status": "E-mail status",
    "segment": "In a segment or not",
    "prediction": "Predicted value",
}
METRIC_OPS = {
    "gte": "at least",
    "gt": "more than",
    "lte": "at most",
    "lt": "fewer than",
    "eq": "exactly",
}
PROPERTY_OPS = {
    "eq": "equals",
    "ne": "does not equal",
    "contains": "contains",
    "in": "is one of (comma-separated)",
    "gt": "is greater than",
    "gte": "is at least",
    "lt": "is less than",
    "lte": "is at most",
    "exists": "is set",
    "not_exists": "is not set",
}
WINDOWS = {
    "days": "in the last N days",
    "all": "over all time",
    "since": "since a date",
    "between": "between two dates",
}


def _number(v: Any) -> Any:
    """A number typed into a field, or the text as typed (the API then names the problem)."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        return v
    if isinstance(v, str) and v.strip():
        try:
            f = float(v)
        except ValueError:
            return v
        return int(f) if f.is_integer() else f
    return None


def _value(op: str, v: Any) -> Any:
    if op == "in":
        return [x.strip() for x in str(v or "").split(",") if x.strip()]
    if isinstance(v, str):
        n = _number(v)
        return n if isinstance(n, int | float) and v.strip() == str(n) else v
    return v


def _text(v: Any) -> str:
    return ", ".join(map(str, v)) if isinstance(v, list) else ("" if v is None else str(v))


def _filter_condition(f: dict) -> dict:
    """An event filter row ({"field", "pop", "text"}) as a `where` condition."""
    op = f.get("pop") or "eq"
    c = {"field": f.get("field"), "op": op}
    if op not in ("exists", "not_exists"):
        c["value"] = _value(op, f.get("text"))
    return c


def _filter_row(w: dict) -> dict:
    return {"field": w.get("field"), "pop": w.get("op"), "text": _text(w.get("value"))}


def to_condition(row: dict) -> dict:
    kind = row.get("type") or "metric"
    if kind == "metric":
        c = {
            "type": "metric",
            "metric": row.get("metric"),
            "measure": row.get("measure") or "count",
            "op": row.get("op") or "gte",
            "value": _number(row.get("value")),
        }
        window = row.get("window") or "days"
        if window == "days":
            c["days"] = _number(row.get("days"))
        elif window == "since":
            c["since"] = row.get("since")
        elif window == "between":
            c["between"] = [row.get("since"), row.get("until")]
        if row.get("where"):
            c["where"] = [_filter_condition(f) for f in row["where"]]
        return c
    if kind == "property":
        op = row.get("pop") or "eq"
        c = {"type": "property", "field": row.get("field"), "op": op}
        if op not in ("exists", "not_exists"):
            c["value"] = _value(op, row.get("text"))
        return c
    if kind == "list":
        return {
            "type": "list",
            "list": row.get("list"),
            "member": row.get("member", "yes") == "yes",
        }
    if kind == "email_status":
        return {"type": "email_status", "in": list(row.get("in") or [])}
    if kind == "segment":
        return {
            "type": "segment",
            "segment": _number(row.get("segment")),
            "member": row.get("member", "yes") == "yes",
        }
    op = row.get("pop") or "eq"
    c = {"type": "prediction", "field": row.get("field"), "op": op}
    if op not in ("exists", "not_exists"):
        c["value"] = _value(op, row.get("text"))
    return c


def to_definition(draft: list) -> list:
    return [[to_condition(row) for row in group] for group in draft]


def to_row(c: dict) -> dict:
    kind = c.get("type")
    if kind == "metric":
        row = {**NEW_ROW, **{k: c.get(k) for k in ("metric", "measure", "op", "value")}}
        row.update(window="all", days=c.get("days") or 30, since=c.get("since"))
        if c.get("days"):
            row["window"] = "days"
        elif c.get("since"):
            row["window"] = "since"
        elif c.get("between"):
            row.update(window="between", since=c["between"][0], until=c["between"][1])
        if c.get("where"):  # event property filters: rows of their own (segments/where.py)
            row["where"] = [_filter_row(w) for w in c["where"]]
        return row
    if kind in ("property", "prediction"):
        text = _text(c.get("value"))
        return {"type": kind, "field": c.get("field"), "pop": c.get("op"), "text": text}
    if kind in ("list", "segment"):
        return {
            "type": kind,
            kind: c.get(kind) if kind == "list" else str(c.get("segment")),
            "member": "yes" if c.get("member", True) else "no",
        }
    return {"type": "email_status", "in": list(c.get("in") or [])}


def to_draft(conditions: list) -> list:
    return [[to_row(c) for c in group] for group in conditions]
