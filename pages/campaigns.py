"""Campaigns: every one-off e-mail of the account, with status and headline rates."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import Input, Output, State, callback, dcc, html

from backend.campaigns import service
from components.campaigns.list_view import campaigns_table
from components.context import account_id, runtime

dash.register_page(
    __name__, path="/campaigns", name="Campaigns", title="Campaigns · Tally", icon="mail"
)

STARTER = {
    "name": "New campaign",
    "subject": "Hi {{ first_name }}",
    "preview_text": "",
    "body": "Hello {{ first_name }},\n\n",
    "audience": {},
}


def layout(**_):
    with runtime().db.session() as s:
        rows = [service.to_json(s, c) for c in service.list_campaigns(s, account_id())]
    return dmc.Stack(
        [
            dcc.Location(id="campaigns-go", refresh=True),
            dmc.Group(
                [
                    html.H1("Campaigns", className="page-title"),
                    dmc.Button("New campaign", id="campaigns-new", size="sm"),
                ],
                justify="space-between",
                maw=1100,
            ),
            campaigns_table(rows),
        ]
    )


@callback(
    Output("campaigns-go", "href"),
    Input("campaigns-new", "n_clicks"),
    State("campaigns-go", "href"),
    prevent_initial_call=True,
)
def new_campaign(_n, _href):
    with runtime().db.session() as s:
        c = service.create(s, account_id(), STARTER)
        return f"/campaigns/{c.id}"
