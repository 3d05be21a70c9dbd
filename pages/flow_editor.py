"""One flow on the canvas: build, validate, save (a new version), activate, pause, restore."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import Input, Output, State, callback, ctx, html, no_update

from backend.email.stats import with_flow_email_numbers
from backend.flows import service
from backend.flows.builder_options import list_names, metric_names
from backend.flows.schema import FlowInvalid
from components.context import account_id, runtime
from components.flows.canvas import from_canvas, normalise_edges, problems_by_node, to_canvas
from components.flows.editor_layout import STATUS_COLORS, definition, editor, version_options
from components.flows.words import line

dash.register_page(__name__, path_template="/flows/<flow_id>", title="Flow · Tally", nav=False)


def layout(flow_id: str = "", **_):
    try:
        fid = int(flow_id)
        with runtime().db.session() as s:
            flow = service.get(s, account_id(), fid)
            data = service.to_json(flow)
            versions = service.versions(s, account_id(), fid)
            stats = with_flow_email_numbers(
                runtime(), s, account_id(), fid, service.stats(s, account_id(), fid)
            )
            metrics, lists = metric_names(s, account_id()), list_names(s, account_id())
    except (ValueError, service.FlowNotFound):
        return dmc.Stack(
            [
                html.H1("Flow not found", className="page-title"),
                dmc.Anchor("Back to all flows", href="/flows"),
            ]
        )
    return editor(data, versions, stats, metrics, lists)


def _alert(title: str, lines: list[str] | None = None, color: str = "red") -> dmc.Alert:
    body = html.Ul([html.Li(x) for x in lines]) if lines else None
    return dmc.Alert(body, title=title, color=color, variant="light", id="flow-alert")


def _problem_lines(problems, defn: dict | None = None) -> list[str]:
    """Each problem in plain words, naming the step as the canvas shows it ("Time delay
    “Wait 4 hours”: ..."): the ids the schema names ("delay_1") appear nowhere on screen."""
    return [line(p.node, p.message, defn) for p in problems]


def _save(fid: int, draft, nodes, edges, name, saved=None) -> dict:
    """Save the canvas as a new version, unless it is what was saved last."""
    defn = from_canvas(
        {**draft, "name": name}, nodes or [], normalise_edges(nodes or [], edges or [])
    )
    with runtime().db.session() as s:
        if defn == saved:
            return service.to_json(service.get(s, account_id(), fid))
        return service.to_json(service.update(s, account_id(), fid, defn))


def _versions(fid: int) -> list[dict]:
    with runtime().db.session() as s:
        return version_options(service.versions(s, account_id(), fid))


@callback(
    Output("flow-message", "children"),
    Output("flow-draft", "data", allow_duplicate=True),
    Output("flow-versions", "data"),
    Output("flow-version", "children"),
    Output("flow-status", "children"),
    Output("flow-status", "color"),
    Output("flow-pause", "disabled"),
    Output("flow-saved", "data"),
    Output("flow-activate", "disabled"),
    Input("flow-save", "n_clicks"),
    Input("flow-activate", "n_clicks"),
    Input("flow-pause", "n_clicks"),
    State("flow-id", "data"),
    State("flow-draft", "data"),
    State("flow-canvas", "nodes"),
    State("flow-canvas", "edges"),
    State("flow-name", "value"),
    State("flow-saved", "data"),
    prevent_initial_call=True,
)
def save_activate_pause(_s, _a, _p, fid, draft, nodes, edges, name, saved):
    action = ctx.triggered_id
    try:
        if action == "flow-pause":
            with runtime().db.session() as s:
                flow = service.to_json(service.pause(s, account_id(), fid))
            msg = _alert("Paused: no one new enters; waiting profiles stay put.", color="yellow")
        else:
            if action == "flow-save":
                saved = None  # Save always makes a version, as the user asked
            flow = _save(fid, draft, nodes, edges, name, saved)
            msg = _alert(f"Saved as version {flow['version']}.", color="green")
            if action == "flow-activate":
                with runtime().db.session() as s:
                    flow = service.to_json(service.activate(s, account_id(), fid))
                msg = _alert(
                    f"Live: version {flow['version']} now runs on new events.", color="green"
                )
    except FlowInvalid as exc:
        what = "Not activated" if action == "flow-activate" else "Not saved"
        what += " (your changes stay here, kept in this browser)"
        shown = from_canvas(
            {**draft, "name": name}, nodes or [], normalise_edges(nodes or [], edges or [])
        )
        return (
            _alert(f"{what}: fix these first", _problem_lines(exc.problems, shown)),
            *[no_update] * 8,
        )
    st = flow["status"]
    return (
        msg,
        definition(flow),
        _versions(fid),
        f"v{flow['version']}",
        st,
        STATUS_COLORS[st],
        st != "live",
        definition(flow),
        st == "live",
    )


@callback(
    Output("flow-canvas", "nodes", allow_duplicate=True),
    Output("flow-canvas", "edges", allow_duplicate=True),
    Output("flow-draft", "data", allow_duplicate=True),
    Output("flow-message", "children", allow_duplicate=True),
    Output("flow-versions", "data", allow_duplicate=True),
    Output("flow-version", "children", allow_duplicate=True),
    Output("flow-saved", "data", allow_duplicate=True),
    Output("flow-name", "value"),
    Input("flow-restore", "n_clicks"),
    State("flow-versions", "value"),
    State("flow-id", "data"),
    State("flow-stats", "data"),
    prevent_initial_call=True,
)
def restore(_n, version, fid, stats):
    if not version:
        return (
            *[no_update] * 3,
            _alert("Choose a version to restore first.", color="yellow"),
            *[no_update] * 4,
        )
    try:
        with runtime().db.session() as s:
            flow = service.to_json(service.restore(s, account_id(), fid, int(version)))
    except FlowInvalid as exc:
        return (
            *[no_update] * 3,
            _alert("Not restored", _problem_lines(exc.problems)),
            *[no_update] * 4,
        )
    nodes, edges = to_canvas(flow, problems_by_node(flow), stats)
    msg = _alert(f"Version {version} restored as version {flow['version']}.", color="green")
    return (
        nodes,
        edges,
        definition(flow),
        msg,
        _versions(fid),
        f"v{flow['version']}",
        definition(flow),
        flow["name"],
    )


@callback(
    Output("flow-stats", "data"),
    Input("flow-stats-tick", "n_intervals"),
    Input("flow-status", "children"),
    State("flow-id", "data"),
    State("flow-stats", "data"),
    prevent_initial_call=True,
)
def refresh_stats(_tick, status, fid, old):
    """Numbers on the nodes once the flow has run (live or paused); none on a draft."""
    if status not in ("live", "paused"):
        return no_update if old is None else None
    with runtime().db.session() as s:
        stats = with_flow_email_numbers(
            runtime(), s, account_id(), fid, service.stats(s, account_id(), fid)
        )
    return no_update if stats == old else stats
