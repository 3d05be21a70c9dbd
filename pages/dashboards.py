"""/dashboards: the account's dashboards (open, create, rename, duplicate, delete)."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import html

from components.dashboard.dashboard_list import dashboard_list

dash.register_page(
    __name__, path="/dashboards", name="Dashboards", title="Dashboards · Tally", icon="chart"
)


def layout(**_):
    return dmc.Stack(
        [
            html.H1("Dashboards", className="page-title"),
            dmc.Text(
                "Cards of your metrics on a grid: drag to arrange, click a bar or a country "
                "to drill down.",
                c="dimmed",
                size="sm",
            ),
            dashboard_list(),
        ],
        gap="sm",
        maw=1000,
    )
