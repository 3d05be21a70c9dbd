"""Segments: every live audience of the account, with its size; create one."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import html

from backend.segments import service
from components.context import account_id, runtime
from components.segments.segments_table import segments_table

dash.register_page(
    __name__, path="/segments", name="Segments", title="Segments · Tally", icon="user"
)


def layout(**_):
    with runtime().db.session() as s:
        segs = [service.to_json(x) for x in service.list_segments(s, account_id())]
    return dmc.Stack(
        [
            dmc.Group(
                [
                    html.H1("Segments", className="page-title"),
                    dmc.Anchor(dmc.Button("New segment", size="sm"), href="/segments/new"),
                ],
                justify="space-between",
                maw=1100,
            ),
            dmc.Text(
                "Audiences defined by what people did, who they are and which lists they are "
                "on. Members join and leave within seconds of their events.",
                size="sm",
                c="dimmed",
            ),
            html.Div(segments_table(segs), id="segments-list", style={"maxWidth": 1100}),
        ],
        gap="md",
    )
