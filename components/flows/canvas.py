"""Between a flow definition (docs/api.md shape) and the dash-flows canvas (nodes and edges).

Node configs live in the definition; the canvas owns what the user draws: which steps
exist, where they sit (kept as node["ui"] = {"x", "y"}) and how they connect.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import has_request_context
from flask_login import current_user

from backend.flows.layout import BRANCHES, TRIGGER
from backend.flows.schema import FlowInvalid, check_structure, completeness, segments_used
from backend.segments.options import segment_choices
from components.context import account_id, runtime
from components.flows.catalog import BRANCH_LABELS, kind_of, summary, trigger_summary
from components.flows.words import phrase

WIDTH, HEIGHT = 230, 112
HANDLE_SPOTS = {1: ["50%"], 2: ["25%", "75%"]}


def _el(tag: str, children: Any, cls: str = "", **props: Any) -> dict:
    """A plain element the canvas renders inside a node (dash-flows' label format)."""
    return {"type": tag, "props": {"className": cls, "children": children, **props}}


def _handles(node_type: str | None) -> list[dict]:
    out = [] if node_type is None else [{"id": "in", "type": "target", "position": "top"}]
    branches = ("next",) if node_type is None else BRANCHES[node_type]
    for branch, left in zip(branches, HANDLE_SPOTS[len(branches)], strict=True):
        out.append({"id": branch, "type": "source", "position": "bottom", "style": {"left": left}})
    return out


def _stats_line(stats: dict | None) -> str:
    if not stats:
        return ""
    order = (
        "entered",
        "waiting",
        "yes",
        "no",
        "a",
        "b",
        "sent",
        "suppressed",
        "opened",
        "clicked",
        "unsubscribed",
        "bounced",
        "revenue",
        "delivered",
        "added",
        "updated",
        "skipped",
        "failed",
        "exited",
    )
    return " · ".join(f"{k} {stats[k]}" for k in order if stats.get(k))


def _label(
    glyph: str, title: str, text: str, problems: list[str], stats: str, branches: tuple[str, ...]
) -> dict:
    parts = [
        _el(
            "div",
            [
                _el("span", glyph, "fn-glyph", **{"aria-hidden": "true"}),
                _el("span", title, "fn-title"),
            ],
            "fn-head",
        ),
        _el("div", text, "fn-summary"),
    ]
    if stats:
        parts.append(_el("div", stats, "fn-stats"))
    if problems:
        note = "⚠ " + "; ".join(problems)
        parts.append(_el("div", note, "fn-problem", role="note", title=note))
    if len(branches) > 1:
        parts.append(
            _el(
                "div", [_el("span", BRANCH_LABELS[b], "fn-branch") for b in branches], "fn-branches"
            )
        )
    return _el("div", parts, "fn-node-body")


def segment_names(defn: dict) -> dict[int, str] | None:
    """{id: name} of the segments the flow reads, from the logged-in account; None outside a
    request (pure callers pass the names they want, or see ids)."""
    used = segments_used(defn)
    if not used:
        return {}
    if not has_request_context() or not current_user.is_authenticated:
        return None
    with runtime().db.session() as s:
        return {i: name for i, name in segment_choices(s, account_id()) if i in used}


def _named(part: dict | None, names: dict[int, str] | None) -> dict | None:
    """A copy of a step or the trigger whose segment ids read as the segments' names, for its
    summary ("in segment “VIP”"); an id the account no longer has reads "3 (deleted?)"."""
    if not part or names is None:
        return part

    def name(sid):
        if sid in names:
            return f"“{names[sid]}”"
        return f"{sid} (deleted?)" if isinstance(sid, int) else sid

    out = dict(part)
    if out.get("type") == "segment" and "segment" in out:  # a trigger on joining one
        out["segment"] = name(out["segment"])
    if isinstance(out.get("where"), list):
        out["where"] = [
            {**c, "segment": name(c["segment"])} if isinstance(c, dict) and "segment" in c else c
            for c in out["where"]
        ]
    return out


def canvas_node(
    nid: str,
    node: dict | None,
    trigger: dict,
    problems: list[str],
    stats: dict | None,
    pos: dict,
    names: dict[int, str] | None = None,
) -> dict:
    """One canvas node: the trigger (node None) or a step; `names`: segment names by id."""
    if node is None:
        title, text, glyph, ntype = "Trigger", trigger_summary(_named(trigger, names)), "▶", None
    else:
        kind = kind_of(node)
        text = summary(_named(node, names))
        title, glyph, ntype = kind.label, kind.glyph, node["type"]
    branches = ("next",) if ntype is None else BRANCHES[ntype]
    cls = f"fn-node fn-{kind_of(node).key if node else 'trigger'}"
    return {
        "id": nid,
        "type": "resizable",
        "position": {"x": float(pos.get("x", 0)), "y": float(pos.get("y", 0))},
        "width": WIDTH,
        "height": HEIGHT,
        "deletable": node is not None,
        "className": cls + (" fn-invalid" if problems else ""),
        "ariaLabel": f"{title}: {text}" + (f". Problem: {'; '.join(problems)}" if problems else ""),
        "data": {
            "label": _label(glyph, title, text, problems, _stats_line(stats), branches),
            "handles": _handles(ntype),
            "padding": 8,
        },
    }


def drop_position(dropped: dict, viewport: dict | None) -> tuple[float, float]:
    """Where a palette item was dropped, centred on the pointer, in canvas coordinates.

    dash-flows 1.3 converts (clientX - pane.left) with screenToFlowPosition, which subtracts
    the pane's offset again; with the viewport known, the offset is recovered and added back.
    """
    pos = dropped.get("position") or {}
    x, y = pos.get("x", 0.0), pos.get("y", 0.0)
    zoom = (viewport or {}).get("zoom")
    if zoom and "clientX" in dropped:
        left = (dropped["clientX"] - x * zoom - viewport.get("x", 0)) / 2
        top = (dropped["clientY"] - y * zoom - viewport.get("y", 0)) / 2
        x, y = x + left / zoom, y + top / zoom
    return x - WIDTH / 2, y - HEIGHT / 2


def edge(source: str, branch: str, target: str) -> dict:
    out = {
        "id": f"{source}:{branch}",
        "source": source,
        "sourceHandle": branch,
        "target": target,
        "targetHandle": "in",
        "markerEnd": {"type": "arrowclosed"},
    }
    if BRANCH_LABELS.get(branch):
        out["label"] = BRANCH_LABELS[branch]
    return out


def to_canvas(
    defn: dict,
    problems: dict | None = None,
    stats: dict | None = None,
    names: dict[int, str] | None = None,
) -> tuple[list[dict], list[dict]]:
    """`names`: segment names by id for the summaries; by default the logged-in account's."""
    problems, stats = problems or {}, stats or {}
    names = segment_names(defn) if names is None else names
    trigger = defn.get("trigger") or {}
    nodes = [
        canvas_node(
            TRIGGER,
            None,
            trigger,
            problems.get(TRIGGER, []),
            {"entered": stats.get("entered")},
            trigger.get("ui") or {},
            names,
        )
    ]
    edges = [edge(TRIGGER, "next", defn["start"])] if defn.get("start") else []
    for n in defn.get("nodes") or []:
        nodes.append(
            canvas_node(
                n["id"],
                n,
                trigger,
                problems.get(n["id"], []),
                (stats.get("nodes") or {}).get(n["id"]),
                n.get("ui") or {},
                names,
            )
        )
        edges += [edge(n["id"], b, n[b]) for b in BRANCHES[n["type"]] if n.get(b)]
    return nodes, edges


def normalise_edges(nodes: list[dict], edges: list[dict]) -> list[dict]:
    """One edge per source handle (the latest drawn wins), none into itself or the trigger."""
    ids = {n["id"] for n in nodes}
    latest: dict[tuple[str, str], dict] = {}
    for e in edges:
        src, tgt, branch = e.get("source"), e.get("target"), e.get("sourceHandle") or "next"
        if src in ids and tgt in ids and src != tgt and tgt != TRIGGER:
            latest.pop((src, branch), None)
            latest[(src, branch)] = edge(src, branch, tgt)
    return list(latest.values())


def from_canvas(draft: dict, nodes: list[dict], edges: list[dict]) -> dict:
    """The definition the canvas shows: draft configs, canvas positions and connections."""
    configs = {n["id"]: n for n in draft.get("nodes") or []}
    links = {(e["source"], e.get("sourceHandle") or "next"): e["target"] for e in edges}
    defn = copy.deepcopy({k: draft.get(k) for k in ("name", "trigger", "filters")})
    defn["trigger"] = defn["trigger"] or {}
    defn["filters"] = defn["filters"] or []
    defn["nodes"] = []
    for cn in nodes:
        pos = {"x": round(cn["position"]["x"], 1), "y": round(cn["position"]["y"], 1)}
        if cn["id"] == TRIGGER:
            defn["trigger"]["ui"] = pos
            continue
        if cn["id"] not in configs:
            continue
        node = copy.deepcopy(configs[cn["id"]])
        node["ui"] = {**(node.get("ui") or {}), **pos}
        for b in BRANCHES[node["type"]]:
            node[b] = links.get((cn["id"], b))
        defn["nodes"].append(node)
    defn["start"] = links.get((TRIGGER, "next"))
    return defn


def problems_by_node(defn: dict, live: bool = True) -> dict[str, list[str]]:
    """Structure problems and what activation would refuse, by canvas node id.

    Flow-level problems (name, trigger, start) are shown on the trigger node.
    """
    found = []
    try:
        check_structure(defn)
    except FlowInvalid as exc:
        found += exc.problems
    if live:
        found += completeness(defn)
    out: dict[str, list[str]] = {}
    for p in found:
        msg = phrase(p.message, defn)
        if p.node is None and p.message.startswith("start must be"):
            for n in defn.get("nodes") or []:  # the graph check never ran: say it here
                out.setdefault(n["id"], []).append(phrase("not connected to the trigger"))
        if p.node is None and p.message == "the flow has no steps":
            msg = "Add a step from the palette and connect the trigger to it."
        bucket = out.setdefault(p.node or TRIGGER, [])
        if msg not in bucket:
            bucket.append(msg)
    return out
