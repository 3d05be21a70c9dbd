"""A list's numbers over a dashboard range preset: members now, joins and leaves by day
(a chart), and where the joins came from (a table). The range select redraws them."""

from __future__ import annotations

import dash_mantine_components as dmc
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html

from backend.dashboards.ranges import DEFAULT_RANGE, PRESETS
from backend.lists import growth, service
from components.context import account_id, runtime
from components.dashboard.numbers import full


def _card(label: str, value: str, dom_id: str) -> dmc.Paper:
    return dmc.Paper(
        [dmc.Text(label, size="xs", c="dimmed"), dmc.Text(value, size="xl", fw=700, id=dom_id)],
        withBorder=True,
        p="sm",
    )


def _chart(days: list[dict]) -> go.Figure:
    x = [d["day"] for d in days]
    fig = go.Figure(
        [
            go.Bar(x=x, y=[d["joins"] for d in days], name="Joined", marker_color="#4c6ef5"),
            go.Bar(x=x, y=[-d["leaves"] for d in days], name="Left", marker_color="#fa5252"),
        ]
    )
    fig.update_layout(
        barmode="relative",
        height=240,
        margin={"l": 40, "r": 10, "t": 10, "b": 30},
        legend={"orientation": "h", "y": 1.12},
        plot_bgcolor="white",
        xaxis={"type": "date", "tickformat": "%b %d"},
    )
    return fig


def _sources(rows: list[dict]):
    if not rows:
        return dmc.Text(
            "No one joined or left in this period.", size="sm", c="dimmed", id="list-sources-empty"
        )
    body = [
        html.Tr(
            [html.Td(r["label"]), html.Td(full(r["joins"])), html.Td(full(r["leaves"]))],
            className="list-source-row",
        )
        for r in rows
    ]
    head = html.Tr([html.Th(h, scope="col") for h in ("Source", "Joined", "Left")])
    return dmc.Table(
        [html.Thead(head), html.Tbody(body)], id="list-sources-table", striped=True, maw=640
    )


def _body(list_id: int, rng: str):
    with runtime().db.session() as s:
        count = service.member_count(s, list_id)
        o = growth.overview(s, account_id(), list_id, rng)
    days = o["days"]
    described = ", ".join(
        f"{d['day']}: +{d['joins']} -{d['leaves']}" for d in days if d["joins"] or d["leaves"]
    )
    return [
        dmc.Group(
            [
                _card("Members", full(count), "list-count"),
                _card(f"Joined, {PRESETS[rng].lower()}", full(o["joins"]), "list-joined"),
                _card(f"Left, {PRESETS[rng].lower()}", full(o["leaves"]), "list-left"),
            ]
        ),
        html.Div(
            [
                html.H2("Growth", className="section-title"),
                dcc.Graph(
                    figure=_chart(days), config={"displayModeBar": False}, id="list-growth-chart"
                ),
                html.P(
                    described or "No joins or leaves in this period.", className="visually-hidden"
                ),
            ],
            role="figure",
            **{"aria-label": f"Joins and leaves by day, {o['start']} to {o['end']} ({o['tz']})"},
        ),
        html.H2("Where they came from", className="section-title"),
        _sources(o["sources"]),
    ]


def overview(list_id: int) -> html.Div:
    return html.Div(
        [
            dcc.Store(id="list-overview-id", data=list_id),
            dmc.Select(
                id="list-range",
                label="Period",
                data=[{"value": k, "label": v} for k, v in PRESETS.items()],
                value=DEFAULT_RANGE,
                allowDeselect=False,
                w=220,
            ),
            dmc.Stack(_body(list_id, DEFAULT_RANGE), id="list-overview", gap="md", mt="sm"),
        ]
    )


@callback(
    Output("list-overview", "children"),
    Input("list-range", "value"),
    Input("list-members-refresh", "data"),  # an import finished (components/lists/importer.py)
    State("list-overview-id", "data"),
    prevent_initial_call=True,
)
def redraw(rng, _refresh, list_id):
    return _body(list_id, rng if rng in PRESETS else DEFAULT_RANGE)
