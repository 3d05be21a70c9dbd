"""Canvas callbacks of the flow editor: add steps, keep marks and edges in step with the
draft, auto-layout, fit, delete, undo and redo."""

from __future__ import annotations

from dash import ALL, Input, Output, State, callback, ctx, html, no_update

from backend.flows.layout import TRIGGER
from backend.flows.layout import layout as positions
from components.flows.canvas import (
    drop_position,
    from_canvas,
    normalise_edges,
    problems_by_node,
    to_canvas,
)
from components.flows.catalog import new_node
from components.flows.history import record, redo, undo


def _problems_panel(by_node: dict[str, list[str]]) -> list:
    if not by_node:
        return [html.P("No problems: this flow can go live.", className="muted")]
    items = [
        html.Li(f"{'Trigger' if nid == TRIGGER else nid}: {m}")
        for nid, msgs in by_node.items()
        for m in msgs
    ]
    return [
        html.H2("To fix before going live", className="subsection-title"),
        html.Ul(items, className="fn-problems"),
    ]


@callback(
    Output("flow-canvas", "nodes", allow_duplicate=True),
    Output("flow-draft", "data", allow_duplicate=True),
    Input({"type": "flow-palette", "kind": ALL}, "n_clicks"),
    Input("flow-canvas", "droppedNode"),
    State("flow-canvas", "nodes"),
    State("flow-draft", "data"),
    State("flow-canvas", "viewport"),
    prevent_initial_call=True,
)
def add_step(_clicks, dropped, nodes, draft, viewport):
    trig = ctx.triggered_id
    if trig == "flow-canvas":
        kind = ((dropped or {}).get("data") or {}).get("kind")
        x, y = drop_position(dropped or {}, viewport)
    else:
        if not ctx.triggered or not ctx.triggered[0]["value"]:
            return no_update, no_update
        kind = trig["kind"]
        lowest = max(nodes or [{"position": {"x": 0, "y": 0}}], key=lambda n: n["position"]["y"])
        x, y = lowest["position"]["x"], lowest["position"]["y"] + 170
    if not kind:
        return no_update, no_update
    taken = {n["id"] for n in nodes or []}
    i = 1
    while f"{kind}_{i}" in taken:
        i += 1
    node = new_node(kind, f"{kind}_{i}", x, y)
    draft = {**draft, "nodes": [*(draft.get("nodes") or []), node]}
    defn = from_canvas(draft, nodes, [])
    canvas_nodes, _ = to_canvas({**defn, "nodes": [node]})
    return [*(nodes or []), canvas_nodes[1]], draft


@callback(
    Output("flow-canvas", "nodes", allow_duplicate=True),
    Output("flow-canvas", "edges", allow_duplicate=True),
    Output("flow-problems", "children"),
    Output("flow-history", "data"),
    Input("flow-draft", "data"),
    Input("flow-canvas", "edges"),
    Input("flow-canvas", "deletedNodes"),
    Input("flow-stats", "data"),
    Input("flow-canvas", "draggedNode"),
    State("flow-canvas", "nodes"),
    State("flow-history", "data"),
    prevent_initial_call="initial_duplicate",
)
def sync(draft, edges, _deleted, stats, dragged, nodes, history):
    """Keep edges tidy and each node's label and problem marks in step with the draft."""
    nodes = nodes or []
    clean = normalise_edges(nodes, edges or [])
    defn = from_canvas(draft, nodes, clean)
    by_node = problems_by_node(defn)
    fresh = {n["id"]: n for n in to_canvas(defn, by_node, stats)[0]}
    out, changed = [], False
    for n in nodes:
        f = fresh.get(n["id"])
        if f and (n.get("data") != f["data"] or n.get("className") != f["className"]):
            n = {**n, "data": f["data"], "className": f["className"], "ariaLabel": f["ariaLabel"]}
            changed = True
        out.append(n)
    same_edges = [(e["id"], e["target"]) for e in edges or []] == [
        (e["id"], e["target"]) for e in clean
    ]
    if (dragged or {}).get("isDragging"):
        step = None  # the drag's end is the step
    else:
        step = record(history, defn)
    return (
        (out if changed else no_update),
        (no_update if same_edges else clean),
        _problems_panel(by_node),
        (no_update if step is None else step),
    )


@callback(
    Output("flow-canvas", "nodes", allow_duplicate=True),
    Output("flow-canvas", "viewportAction", allow_duplicate=True),
    Output("flow-history", "data", allow_duplicate=True),
    Input("flow-layout", "n_clicks"),
    State("flow-draft", "data"),
    State("flow-canvas", "nodes"),
    State("flow-canvas", "edges"),
    State("flow-history", "data"),
    prevent_initial_call=True,
)
def auto_layout(_n, draft, nodes, edges, history):
    edges = normalise_edges(nodes or [], edges or [])
    pos = positions(from_canvas(draft, nodes or [], edges))
    moved = [{**n, "position": pos.get(n["id"], n["position"])} for n in nodes or []]
    step = record(history, from_canvas(draft, moved, edges))
    return moved, {"action": "fitView", "options": {"padding": 0.2}}, step or no_update


@callback(
    Output("flow-canvas", "viewportAction"),
    Output("flow-canvas", "deleteElementsAction"),
    Input("flow-fit", "n_clicks"),
    Input("flow-delete-selected", "n_clicks"),
    State("flow-canvas", "selectedNodes"),
    State("flow-canvas", "selectedEdges"),
    prevent_initial_call=True,
)
def canvas_actions(_f, _d, sel_nodes, sel_edges):
    if ctx.triggered_id == "flow-fit":
        return {"action": "fitView", "options": {"padding": 0.2}}, no_update
    doomed = [n for n in sel_nodes or [] if n != TRIGGER]
    return no_update, {"nodeIds": doomed, "edgeIds": list(sel_edges or [])}


@callback(
    Output("flow-canvas", "nodes", allow_duplicate=True),
    Output("flow-canvas", "edges", allow_duplicate=True),
    Output("flow-draft", "data", allow_duplicate=True),
    Output("flow-history", "data", allow_duplicate=True),
    Input("flow-undo", "n_clicks"),
    Input("flow-redo", "n_clicks"),
    State("flow-history", "data"),
    State("flow-stats", "data"),
    prevent_initial_call=True,
)
def undo_redo(_u, _r, history, stats):
    moved = (undo if ctx.triggered_id == "flow-undo" else redo)(history)
    if moved is None:
        return no_update, no_update, no_update, no_update
    defn = moved["present"]
    nodes, edges = to_canvas(defn, problems_by_node(defn), stats)
    return nodes, edges, defn, moved


@callback(
    Output("flow-undo", "disabled"),
    Output("flow-redo", "disabled"),
    Input("flow-history", "data"),
)
def undo_redo_buttons(history):
    history = history or {}
    return not history.get("past"), not history.get("future")
