"""Auto-layout for the flow canvas: a pure function from a definition to node positions.

The trigger sits on top, each step one row below the deepest step leading to it, and
branches spread side by side with a parent centred over its children. Steps the start
does not reach (a draft being wired) go in columns to the right, so nothing overlaps.
"""

from __future__ import annotations

import copy
from typing import Any

from backend.flows.schema import NODE_TYPES

ROW = 170  # vertical distance between rows, in canvas pixels
COL = 280  # horizontal distance between columns
TRIGGER = "trigger"  # the canvas id of the trigger node
BRANCHES = NODE_TYPES  # each node type's outgoing branch keys, as the schema defines them

Position = dict[str, float]


def _children(nodes: dict[str, dict]) -> dict[str, list[str]]:
    out = {}
    for nid, node in nodes.items():
        targets = [node.get(b) for b in BRANCHES.get(node.get("type"), ())]
        out[nid] = [t for t in targets if isinstance(t, str) and t in nodes]
    return out


def layout(defn: dict[str, Any]) -> dict[str, Position]:
    """{node id: {"x", "y"}} for every node, plus "trigger"; deterministic, cycle-safe."""
    nodes = {
        n["id"]: n
        for n in defn.get("nodes") or []
        if isinstance(n, dict) and isinstance(n.get("id"), str)
    }
    kids = _children(nodes)
    depth: dict[str, int] = {}
    col: dict[str, float] = {}
    next_col = [0]

    def place(root: str, base: int) -> None:
        """Depth-first: a spanning tree claims each node once; back edges are ignored."""
        on_path: set[str] = set()

        def visit(nid: str, d: int) -> None:
            on_path.add(nid)
            depth[nid] = max(depth.get(nid, d), d)
            slots: list[float] = []  # the columns under this node, left to right
            branches = BRANCHES.get(nodes[nid].get("type"), ())
            fork = len(branches) > 1 and any(nodes[nid].get(b) in nodes for b in branches)
            for branch in branches:
                child = nodes[nid].get(branch)
                if child not in nodes:
                    if fork:  # an ended branch keeps its side of the split
                        slots.append(next_col[0])
                        next_col[0] += 1
                    continue
                if child in on_path:
                    continue  # a cycle in a draft: do not loop
                if child in col or child in depth:
                    # a merge: already placed elsewhere, only push it below this node
                    _deepen(child, d + 1, on_path)
                    continue
                visit(child, d + 1)
                slots.append(col[child])
            if slots:
                col[nid] = (slots[0] + slots[-1]) / 2
            else:
                col[nid] = next_col[0]
                next_col[0] += 1
            on_path.discard(nid)

        visit(root, base)

    def _deepen(nid: str, d: int, on_path: set[str], seen: set[str] | None = None) -> None:
        seen = seen if seen is not None else set()
        if nid in seen or nid in on_path or depth.get(nid, -1) >= d:
            return
        seen.add(nid)
        depth[nid] = d
        for child in kids[nid]:
            _deepen(child, d + 1, on_path, seen)

    start = defn.get("start")
    if isinstance(start, str) and start in nodes:
        place(start, 1)
    for nid in nodes:  # whatever the start does not reach, in definition order
        if nid not in col:
            place(nid, 1)
    out = {nid: {"x": float(col[nid] * COL), "y": float(depth[nid] * ROW)} for nid in nodes}
    top = out[start]["x"] if isinstance(start, str) and start in out else 0.0
    out[TRIGGER] = {"x": top, "y": 0.0}
    return out


def apply_layout(defn: dict[str, Any]) -> dict[str, Any]:
    """A copy of the definition with every node's (and the trigger's) "ui" position set."""
    out = copy.deepcopy(defn)
    pos = layout(out)
    for node in out.get("nodes") or []:
        if isinstance(node, dict) and node.get("id") in pos:
            node["ui"] = {**(node.get("ui") or {}), **pos[node["id"]]}
    if isinstance(out.get("trigger"), dict):
        out["trigger"]["ui"] = {**(out["trigger"].get("ui") or {}), **pos[TRIGGER]}
    return out
