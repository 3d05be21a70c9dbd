"""Flow problems in a marketer's words, each step named by what it shows on the canvas
("Time delay “Wait 4 hours”"), never by its id ("delay_1", or "wait_4_hours", an id made
from settings since edited). The schema's messages (backend/flows/schema.py) stay
precise for API clients; these are for people."""

from __future__ import annotations

import re

from components.flows.catalog import kind_of, summary

NO_START = "The flow has no first step: connect a step to the trigger."
NOT_CONNECTED = "not connected to the trigger: connect a step before it, or delete it"
_FIXED = {
    "unreachable from the start node": NOT_CONNECTED,
    "not connected to the trigger": NOT_CONNECTED,
    "the flow has no steps": "The flow has no steps: add one from the palette.",
    "set the delay (minutes > 0)": "set how long to wait",
    "a delay can be from 1 minute to 365 days": (
        "a wait can be from 1 minute to 365 days: shorten it"
    ),
    "duplicate node id": "two steps have the same id: delete one",
    "name must be a non-empty string of at most 200 characters": (
        "Give the flow a name (at most 200 characters)."
    ),
}


def title(node: dict | None) -> str:
    """How the canvas shows a step: its kind and what it does."""
    if node is None:
        return "A step that no longer exists"
    return f"{kind_of(node).label} “{summary(node)}”"


def _nodes(defn: dict | None) -> dict[str, dict]:
    return {n.get("id"): n for n in (defn or {}).get("nodes") or [] if isinstance(n, dict)}


def phrase(message: str, defn: dict | None = None) -> str:
    """One message of the schema, in plain words, without the step it is about."""
    if message.startswith("start must be") or message == "connect the trigger to the first step":
        return NO_START
    if message in _FIXED:
        return _FIXED[message]
    m = re.fullmatch(r"cycle: '(.+)' leads back to '(.+)'", message)
    if m:
        return f"{title(_nodes(defn).get(m[1]))} leads back to it: a flow cannot go round in a loop"
    m = re.fullmatch(r"'(\w+)' points to unknown node .*", message)
    if m:
        return f"its “{m[1]}” connection leads to a step that no longer exists"
    if message.startswith("missing branch target"):
        return "a connection is missing"
    return message


def line(node_id: str | None, message: str, defn: dict | None) -> str:
    """A problem as a sentence naming its step by title (the flow itself: no name)."""
    text = phrase(message, defn)
    if node_id in (None, "trigger"):
        return text[:1].upper() + text[1:]
    return f"{title(_nodes(defn).get(node_id))}: {text}"
