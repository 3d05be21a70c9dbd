"""Canvas callbacks of the flow editor: add steps (components/flows/placement.py), keep marks and edges in step with the
draft, auto-layout, fit, delete, undo and redo."""

from __future__ import annotations

from dash import ALL, Input, Output, State, callback, ctx, html, no_update
from dash_flows import DashFlows

from backend.flows.layout import TRIGGER
from backend.flows.layout import layout as positions
from components.flows.canvas import (
    HEIGHT,
    WIDTH,
    drop_position,
    edge,
    from_canvas,
    normalise_edges,
    problems_by_node,
    to_canvas,
)
from components.flows.catalog import new_node
from components.flows.history import record, redo, undo
from components.flows.placement import end_of_path, insert
from components.flows.words import line


def _problems_panel(by_node: dict[str, list[str]], defn: dict) -> list:
    """Each problem naming its step as the canvas shows it, never by id."""
    if not by_node:
        return [html.P("No problems: this flow can go live.", className="muted")]
    items = [html.Li(line(nid, m, defn)) for nid, msgs in by_node.items() for m in msgs]
    return [
        html.H2("To fix before going live", className="subsection-title"),
        html.Ul(items, className="fn-problems"),
    ]


def canvas(nodes: list, edges: list) -> html.Div:
    """The canvas, whose ids the callbacks below own."""
    return html.Div(
        DashFlows(
            id="flow-canvas",
            nodes=nodes,
            edges=edges,
            fitView=True,
            showMiniMap=False,
            showControls=True,
            controlsShowInteractive=False,
            themePreset="solid",
            colorMode="light",
            minZoom=0.2,
            maxZoom=1.5,
            connectionRadius=30,
            trackViewport=True,
            deleteKeyCode="Backspace",
            style={"width": "100%", "height": "100%"},
            ariaLabelConfig={"nodes": "Flow steps", "edges": "Connections"},
        ),
        className="fn-canvas",
        role="region",
        **{"aria-label": "Flow canvas"},
    )


@callback(
    Output("flow-canvas", "nodes", allow_duplicate=True),
    Output("flow-canvas", "edges", allow_duplicate=True),
    Output("flow-draft", "data", allow_duplicate=True),
    Output("flow-canvas", "viewportAction", allow_duplicate=True),
    Input({"type": "flow-palette", "kind": ALL}, "n_clicks"),
    Input("flow-canvas", "droppedNode"),
    State("flow-canvas", "nodes"),
    State("flow-canvas", "edges"),
    State("flow-draft", "data"),
    State("flow-canvas", "viewport"),
    State("flow-canvas", "selectedNodes"),
    prevent_initial_call=True,
)
def add_step(_clicks, dropped, nodes, edges, draft, viewport, selected):
    """A dropped step lands where it is dropped, unconnected. A clicked one lands after the
    selected step (or at the end of the path), connected, and the canvas centres on it."""
    trig = ctx.triggered_id
    nodes = nodes or []
    if trig == "flow-canvas":
        kind = ((dropped or {}).get("data") or {}).get("kind")
    else:
        if not ctx.triggered or not ctx.triggered[0]["value"]:
            return (no_update,) * 4
        kind = trig["kind"]
    if not kind:
        return (no_update,) * 4
    taken = {n["id"] for n in nodes}
    i = 1
    while f"{kind}_{i}" in taken:
        i += 1
    nid = f"{kind}_{i}"
    clean = normalise_edges(nodes, edges or [])
    links, moved = [], {}
    if trig == "flow-canvas":
        x, y = drop_position(dropped or {}, viewport)
    else:
        defn = from_canvas(draft, nodes, clean)
        chosen = [s for s in selected or [] if s in taken]
        anchor = chosen[0] if len(chosen) == 1 else end_of_path(defn)
        at = {n["id"]: n["position"] for n in nodes}
        pos, links, moved = insert(defn, at, anchor, nid, kind)
        x, y = pos["x"], pos["y"]
    node = new_node(kind, nid, x, y)
    draft = {**draft, "nodes": [*(draft.get("nodes") or []), node]}
    canvas_nodes, _ = to_canvas({**from_canvas(draft, nodes, []), "nodes": [node]})
    placed = [{**n, "position": moved[n["id"]]} if n["id"] in moved else n for n in nodes]
    added = canvas_nodes[1]
    if not links:
        return [*placed, added], no_update, draft, no_update
    replaced = {(s, b) for s, b, _t in links}
    kept = [e for e in clean if (e["source"], e.get("sourceHandle") or "next") not in replaced]
    zoom = (viewport or {}).get("zoom") or 1
    centre = {
        "action": "setCenter",
        "x": x + WIDTH / 2,
        "y": y + HEIGHT / 2,
        "zoom": zoom,
        "duration": 200,
    }
    return [*placed, added], [*kept, *(edge(s, b, t) for s, b, t in links)], draft, centre


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
        _problems_panel(by_node, defn),
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
