"""Flows: every automated journey of the account; create (blank or a template) here,
duplicate and delete in the list (components/flows/list_view.py)."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import Input, Output, State, callback, dcc, html

from backend.flows import service
from backend.flows.builder_options import metric_names
from backend.flows.starters import TEMPLATES, blank
from components.context import account_id, runtime
from components.dialogs import close_button
from components.flows.list_view import FLOWS, template_choices
from components.item_list import item_list

dash.register_page(__name__, path="/flows", name="Flows", title="Flows · Tally", icon="flow")


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
            dcc.Location(id="flows-go", refresh="callback-nav"),
            item_list(FLOWS),
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
    return f"/flows/{fid}"
