"""The list of segments: name (linked), members, when evaluated; or what to do first."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import dcc, html

from components.dashboard.numbers import full
from components.format import ago, when


def segments_table(segs: list[dict]) -> html.Div:
    if not segs:
        return dmc.Alert(
            [
                "A segment is everyone who meets some conditions: ordered twice in 90 days, "
                "lives in France, not on a list. It stays up to date as events arrive. ",
                dcc.Link("Create your first segment", href="/segments/new"),
                ".",
            ],
            title="No segments yet",
            color="gray",
            id="segments-empty",
        )
    rows = [
        html.Tr(
            [
                html.Td(dcc.Link(x["name"], href=f"/segments/{x['id']}", className="segment-link")),
                html.Td(full(x["count"]), className="num"),
                html.Td(html.Span(ago(x["evaluated_at"]), title=when(x["evaluated_at"]))),
            ],
            className="segment-row",
        )
        for x in segs
    ]
    return dmc.Table(
        [
            html.Thead(html.Tr([html.Th("Segment"), html.Th("Members"), html.Th("Evaluated")])),
            html.Tbody(rows),
        ],
        striped=True,
        highlightOnHover=True,
    )
