"""Flows: every automated journey of the account; create (blank or a template),
duplicate, delete."""

from __future__ import annotations

import copy

import dash
import dash_mantine_components as dmc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from backend.flows import service
from backend.flows.builder_options import metric_names
from backend.flows.starters import TEMPLATES, blank
from components.context import account_id, runtime
from components.dialogs import close_button
from components.flows.list_view import flows_table, template_choices
from components.list_actions import NotFound, delete_dialog, gone

dash.register_page(__name__, path="/flows", name="Flows", title="Flows · Tally", icon="flow")

KEYS = ("name", "trigger", "filters", "start", "nodes")


def _table():
    with runtime().db.session() as s:
        flows = [service.to_json(f) for f in service.list_flows(s, account_id())]
        entered = {f["id"]: service.stats(s, account_id(), f["id"])["entered"] for f in flows}
    return flows_table(flows, entered)


def layout(**_):
    return dmc.Stack(
        [
            dmc.Group(
                [
                    html.H1("Flows", className="page-title"),
                    dmc.Button("New flow", id="flows-new", size="sm"),
                ],
                justify="space-between",
                maw=1100,
            ),
            dmc.Modal(
                dmc.Stack(
                    [
                        dmc.TextInput(
                            id="flows-new-name", label="Name", placeholder="Welcome series"
                        ),
                        dmc.RadioGroup(
                            dmc.Stack(
                                [
                                    dmc.Radio(
                                        c["label"],
                                        value=c["value"],
                                        id=f"flows-template-{c['value']}",
                                    )
                                    for c in template_choices()
                                ]
                            ),
                            id="flows-new-template",
                            label="Start from",
                            value="blank",
                        ),
                        dmc.Button("Create and open", id="flows-create"),
                    ]
                ),
                id="flows-new-modal",
                title="New flow",
                size="lg",
                closeButtonProps=close_button(),
            ),
            delete_dialog("flows", "Delete flow"),
            dcc.Store(id="flows-delete-id"),
            dcc.Location(id="flows-go", refresh="callback-nav"),
            html.Div(
                id="flows-message", role="status", className="notice", **{"aria-live": "polite"}
            ),
            html.Div(_table(), id="flows-list", role="region", **{"aria-label": "Flows"}),
        ],
        gap="md",
        maw=1100,
    )


@callback(
    Output("flows-new-modal", "opened"), Input("flows-new", "n_clicks"), prevent_initial_call=True
)
def open_new(_n):
    return True


@callback(
    Output("flows-go", "href"),
    Output("flows-message", "children"),
    Input("flows-create", "n_clicks"),
    State("flows-new-name", "value"),
    State("flows-new-template", "value"),
    prevent_initial_call=True,
)
def create(_n, name, template):
    name = (name or "").strip()
    with runtime().db.session() as s:
        if template in TEMPLATES:
            defn = TEMPLATES[template].build(name or None)
        else:
            metrics = metric_names(s, account_id())
            defn = blank(name or "Untitled flow", metrics[0] if metrics else "Placed Order")
        flow = service.create(s, account_id(), defn)
        fid = flow.id
    return f"/flows/{fid}", no_update


@callback(
    Output("flows-list", "children"),
    Output("flows-message", "children", allow_duplicate=True),
    Input({"type": "flows-duplicate", "id": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def duplicate(clicks):
    if not ctx.triggered_id or not any(clicks):
        return no_update, no_update
    try:
        with runtime().db.session() as s:
            src = service.to_json(service.get(s, account_id(), ctx.triggered_id["id"]))
            body = copy.deepcopy({k: src[k] for k in KEYS})
            body["name"] = f"{src['name']} (copy)"[:200]
            service.create(s, account_id(), {**body, "reentry": src["reentry"]})
    except NotFound:
        return _table(), gone("flow")
    return _table(), dmc.Alert(
        f"Duplicated {src['name']} as a draft.", color="green", variant="light"
    )


@callback(
    Output("flows-delete-modal", "opened"),
    Output("flows-delete-id", "data"),
    Output("flows-delete-text", "children"),
    Output("flows-list", "children", allow_duplicate=True),
    Output("flows-message", "children", allow_duplicate=True),
    Input({"type": "flows-delete", "id": ALL}, "n_clicks"),
    Input("flows-delete-cancel", "n_clicks"),
    prevent_initial_call=True,
)
def ask_delete(clicks, _cancel):
    if ctx.triggered_id == "flows-delete-cancel":
        return False, None, no_update, no_update, no_update
    if not ctx.triggered_id or not any(c for c in clicks if c):
        return no_update, no_update, no_update, no_update, no_update
    fid = ctx.triggered_id["id"]
    try:
        with runtime().db.session() as s:
            name = service.get(s, account_id(), fid).name
    except NotFound:
        return False, None, no_update, _table(), gone("flow")
    text = f"Delete {name}? People waiting in it leave the flow. This cannot be undone."
    return True, fid, text, no_update, no_update


@callback(
    Output("flows-list", "children", allow_duplicate=True),
    Output("flows-delete-modal", "opened", allow_duplicate=True),
    Output("flows-message", "children", allow_duplicate=True),
    Input("flows-delete-confirm", "n_clicks"),
    State("flows-delete-id", "data"),
    prevent_initial_call=True,
)
def confirm_delete(_n, fid):
    if fid is None:
        return no_update, False, no_update
    try:
        with runtime().db.session() as s:
            service.delete(s, account_id(), fid)
    except NotFound:
        return _table(), False, gone("flow")
    return _table(), False, dmc.Alert("Flow deleted.", color="gray", variant="light")
