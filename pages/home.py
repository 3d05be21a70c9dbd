"""Home: with events, the account's dashboards; before the first event, how to send it."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import html
from flask import request

from backend import analytics
from components.context import account_id, runtime
from components.dashboard.dashboard_list import dashboard_list
from components.dashboard.first_steps import first_steps

dash.register_page(__name__, path="/", name="Home", title="Tally", nav=False)


def layout(**_):
    with runtime().db.session() as s:
        has_events = bool(analytics.list_metrics(s, account_id()))
    if has_events:
        return dmc.Stack(
            [
                html.H1("Dashboards", className="page-title"),
                dashboard_list(),
            ],
            gap="sm",
            maw=1000,
        )
    return dmc.Stack(
        [
            html.H1("Welcome to Tally", className="page-title"),
            dmc.Text("Three steps from an empty account to live numbers.", c="dimmed"),
            first_steps(request.host_url.rstrip("/"), "home"),
        ],
        gap="lg",
        maw=1000,
    )
