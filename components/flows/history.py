"""Undo and redo over whole definitions (configs, positions, connections).

dash-flows' own history records drags only (not deletions or connections), so the builder
keeps its own: every structural change and every finished drag is one step.
"""

from __future__ import annotations

MAX_STEPS = 50


def record(history: dict | None, defn: dict) -> dict | None:
    """The history with `defn` as the present, or None when nothing changed."""
    history = history or {"past": [], "present": None, "future": []}
    if history["present"] == defn:
        return None
    if history["present"] is None:
        return {**history, "present": defn}
    past = [*history["past"], history["present"]][-MAX_STEPS:]
    return {"past": past, "present": defn, "future": []}


def undo(history: dict) -> dict | None:
    if not history or not history["past"]:
        return None
    return {
        "past": history["past"][:-1],
        "present": history["past"][-1],
        "future": [history["present"], *history["future"]],
    }


def redo(history: dict) -> dict | None:
    if not history or not history["future"]:
        return None
    return {
        "past": [*history["past"], history["present"]],
        "present": history["future"][0],
        "future": history["future"][1:],
    }
