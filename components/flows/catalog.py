"""The kinds of step a flow can have: labels, glyphs, defaults and one-line summaries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend.flows.layout import BRANCHES
from components.segments.labels import prediction_label


@dataclass(frozen=True)
class Kind:
    key: str  # palette key; "trigger_split" is a split on event.* conditions
    type: str  # the node type in the definition
    label: str
    glyph: str  # a text glyph: the canvas must not fetch icons from the web
    defaults: dict[str, Any]


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind("delay", "delay", "Time delay", "◷", {"minutes": 60 * 24}),
        Kind("split", "split", "Conditional split", "◇", {"where": []}),
        Kind("trigger_split", "split", "Trigger split", "⚡", {"where": []}),
        Kind("ab_split", "ab_split", "A/B split", "⇅", {"percent": 50}),
        Kind("email", "email", "Email", "✉", {"subject": "", "body": ""}),
        Kind("webhook", "webhook", "Webhook", "⇄", {"url": ""}),
        Kind("update_profile", "update_profile", "Update profile", "✎", {"traits": {}}),
        Kind("add_to_list", "add_to_list", "Add to list", "☰", {"list": ""}),
    )
}
BRANCH_LABELS = {"next": "", "yes": "Yes", "no": "No", "a": "A", "b": "B"}
UNITS = {"minutes": 1, "hours": 60, "days": 24 * 60}


def kind_of(node: dict) -> Kind:
    if node.get("type") == "split" and (node.get("ui") or {}).get("kind") == "trigger_split":
        return KINDS["trigger_split"]
    return KINDS.get(node.get("type", ""), KINDS["delay"])


def new_node(kind: str, node_id: str, x: float, y: float) -> dict:
    k = KINDS[kind]
    node = {"id": node_id, "type": k.type, **k.defaults}
    node.update({b: None for b in BRANCHES[k.type]})
    node["ui"] = {"x": x, "y": y} | ({"kind": kind} if kind == "trigger_split" else {})
    return node


def split_minutes(minutes: Any) -> tuple[float, str]:
    """The largest unit that shows a delay as a whole number: 4320 -> (3, "days")."""
    if not isinstance(minutes, int | float) or isinstance(minutes, bool) or minutes <= 0:
        return 1, "days"
    for unit in ("days", "hours"):
        if minutes % UNITS[unit] == 0:
            return minutes // UNITS[unit], unit
    return minutes, "minutes"


def _plural(n: float, word: str) -> str:
    n = int(n) if float(n).is_integer() else n
    return f"{n} {word if n == 1 else word + 's'}"


OPS = {
    "eq": "is",
    "ne": "is not",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "contains": "contains",
    "in": "is one of",
    "exists": "is set",
    "not_exists": "is not set",
}


def condition_text(c: dict) -> str:
    if "metric" in c:
        how = {"gte": "at least", "lt": "fewer than", "eq": "exactly"}.get(c.get("op"), "?")
        return (
            f"did {c.get('metric')} {how} {_plural(c.get('count', 0), 'time')}"
            f" in {_plural(c.get('days', 0), 'day')}"
        )
    if "segment" in c:
        return f"{'in' if c.get('member', True) else 'not in'} segment {c.get('segment') or '?'}"
    value = "" if c.get("op") in ("exists", "not_exists") else f" {c.get('value')}"
    field = str(c.get("field"))
    if field.startswith("predictions."):
        field = prediction_label(field.partition(".")[2])
    return f"{field} {OPS.get(c.get('op'), c.get('op'))}{value}"


def summary(node: dict) -> str:
    t = node.get("type")
    if t == "delay":
        amount, unit = split_minutes(node.get("minutes"))
        return f"Wait {_plural(amount, unit[:-1])}" if node.get("minutes") else "Set the wait"
    if t == "split":
        where = node.get("where") or []
        return " and ".join(condition_text(c) for c in where) if where else "Add a condition"
    if t == "ab_split":
        p = node.get("percent")
        return f"A {p}% · B {100 - p}%" if isinstance(p, int | float) else "Set the A share"
    if t == "email":
        return node.get("subject") or "Write the e-mail"
    if t == "webhook":
        return node.get("url") or "Set the URL"
    if t == "update_profile":
        traits = node.get("traits") or {}
        return ", ".join(f"{k} = {v}" for k, v in traits.items()) or "Set the traits"
    if t == "add_to_list":
        return f"Add to {node['list']}" if node.get("list") else "Choose the list"
    return ""


def trigger_summary(trigger: dict) -> str:
    if trigger.get("type") == "list":
        return f"Joins list {trigger.get('list') or '?'}"
    if trigger.get("type") == "segment":
        return f"Joins segment {trigger.get('segment') or '?'}"
    where = trigger.get("where") or []
    extra = f" where {' and '.join(condition_text(c) for c in where)}" if where else ""
    return f"When someone does {trigger.get('metric') or '?'}{extra}"
