"""Where a step added from the palette goes: after the selected step, or at the end of the
path from the trigger, connected to it and below it (on its side of a split); a step it is
put in front of is connected after it, and everything below moves down a row."""

from __future__ import annotations

from backend.flows.layout import BRANCHES, COL, ROW, TRIGGER


def _out(defn: dict, nid: str) -> list[tuple[str, str | None]]:
    """(branch, target) of a canvas node, the trigger included."""
    if nid == TRIGGER:
        return [("next", defn.get("start"))]
    node = next((n for n in defn.get("nodes") or [] if n["id"] == nid), None)
    return [] if node is None else [(b, node.get(b)) for b in BRANCHES[node["type"]]]


def end_of_path(defn: dict) -> str:
    """The last step reached from the trigger, following each step's first connection."""
    cur, seen = TRIGGER, {TRIGGER}
    while True:
        nxt = next((t for _b, t in _out(defn, cur) if t), None)
        if nxt is None or nxt in seen:
            return cur
        seen.add(nxt)
        cur = nxt


def _below(defn: dict, root: str) -> set[str]:
    found, todo = set(), [root]
    while todo:
        nid = todo.pop()
        if nid in found or nid == TRIGGER:
            continue
        found.add(nid)
        todo += [t for _b, t in _out(defn, nid) if t]
    return found


def insert(
    defn: dict, positions: dict[str, dict], anchor: str, new_id: str, new_type: str
) -> tuple[dict, list[tuple[str, str, str]], dict[str, dict]]:
    """(the new step's position, the connections to draw (source, branch, target), the
    steps moved down {id: position}) for a step of `new_type` added after `anchor`."""
    branches = _out(defn, anchor)
    if not branches:  # an anchor that no longer exists: the end of the path
        anchor = end_of_path(defn)
        branches = _out(defn, anchor)
    branch, old = next(((b, t) for b, t in branches if not t), branches[0])
    side = 0.0
    if len(branches) == 2:  # a split: its branches side by side
        side = -COL / 2 if branch == branches[0][0] else COL / 2
    base = positions.get(anchor, {"x": 0.0, "y": 0.0})
    pos = {"x": base["x"] + side, "y": base["y"] + ROW}
    links = [(anchor, branch, new_id)]
    moved: dict[str, dict] = {}
    if old:
        links.append((new_id, BRANCHES[new_type][0], old))
        for nid in _below(defn, old):
            p = positions.get(nid)
            if p:
                moved[nid] = {"x": p["x"], "y": p["y"] + ROW}
    return pos, links, moved
