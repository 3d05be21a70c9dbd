"""A saved segment's numbers: its count and when it was evaluated, members over time as a
chart, members paged by cursor (linked to their profiles) and their CSV export."""

from __future__ import annotations

import csv
import io

import dash_mantine_components as dmc
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html, no_update

from backend.segments import service
from components.context import account_id, runtime
from components.dashboard.numbers import full
from components.format import ago, when

PAGE = 25


def summary(seg: dict) -> dmc.Group:
    return dmc.Group(
        [
            dmc.Paper(
                [
                    dmc.Text("Members", size="xs", c="dimmed"),
                    dmc.Text(full(seg["count"]), size="xl", fw=700, id="seg-saved-count"),
                ],
                withBorder=True,
                p="sm",
            ),
            dmc.Paper(
                [
                    dmc.Text("Evaluated", size="xs", c="dimmed"),
                    dmc.Text(
                        html.Span(ago(seg["evaluated_at"]), title=when(seg["evaluated_at"])),
                        size="xl",
                        fw=700,
                    ),
                ],
                withBorder=True,
                p="sm",
            ),
        ]
    )


def over_time(points: list[tuple[str, int]]) -> html.Div:
    fig = go.Figure(
        go.Scatter(
            x=[d for d, _ in points],
            y=[n for _, n in points],
            mode="lines+markers",
            line={"color": "#4c6ef5"},
            name="Members",
        )
    )
    fig.update_layout(
        height=220,
        margin={"l": 40, "r": 10, "t": 10, "b": 30},
        showlegend=False,
        yaxis={"rangemode": "tozero"},
        plot_bgcolor="white",
    )
    first, last = points[0], points[-1]
    return html.Div(
        [
            html.H2("Members over time", className="section-title"),
            dcc.Graph(figure=fig, config={"displayModeBar": False}),
            html.P(
                f"{full(first[1])} on {first[0]}, {full(last[1])} on {last[0]}.",
                className="visually-hidden",
            ),
        ],
        role="figure",
        **{"aria-label": "Members at the end of each day of the last 30 days"},
    )


def _table(page: dict) -> html.Div:
    if not page["members"]:
        return dmc.Alert(
            "No one meets this segment now. Loosen a condition, or wait: profiles join as "
            "their events arrive.",
            title="No members yet",
            color="gray",
            id="seg-members-empty",
        )
    rows = [
        html.Tr(
            [
                html.Td(
                    dcc.Link(
                        m["email"] or m["external_id"] or f"Anonymous #{m['id']}",
                        href=f"/profiles/{m['id']}",
                    )
                ),
                html.Td(m["external_id"] or "—"),
            ],
            className="seg-member-row",
        )
        for m in page["members"]
    ]
    return dmc.Table(
        [html.Thead(html.Tr([html.Th("Profile"), html.Th("User id")])), html.Tbody(rows)],
        striped=True,
        highlightOnHover=True,
    )


def _page(segment_id: int, after: int | None) -> dict:
    with runtime().db.session() as s:
        return service.members_page(s, account_id(), segment_id, PAGE, after)


def members(segment_id: int) -> html.Div:
    page = _page(segment_id, None)
    return html.Div(
        [
            dmc.Group(
                [
                    html.H2("Members", className="section-title"),
                    dmc.Group(
                        [
                            dcc.Link("Open in Profiles", href=f"/profiles?segment={segment_id}"),
                            dmc.Button("Export CSV", id="seg-export", variant="default", size="xs"),
                        ]
                    ),
                ],
                justify="space-between",
            ),
            dcc.Download(id="seg-download"),
            dcc.Store(
                id="seg-cursors",
                data={"segment": segment_id, "stack": [None], "next": page["next"]},
            ),
            html.Div(
                _table(page),
                id="seg-members",
                role="region",
                **{"aria-live": "polite", "aria-label": "Members"},
            ),
            dmc.Group(
                [
                    dmc.Button(
                        "Previous", id="seg-prev", variant="default", size="xs", disabled=True
                    ),
                    dmc.Button(
                        "Next",
                        id="seg-next",
                        variant="default",
                        size="xs",
                        disabled=page["next"] is None,
                    ),
                ]
            ),
        ]
    )


@callback(
    Output("seg-members", "children"),
    Output("seg-cursors", "data"),
    Output("seg-prev", "disabled"),
    Output("seg-next", "disabled"),
    Input("seg-prev", "n_clicks"),
    Input("seg-next", "n_clicks"),
    State("seg-cursors", "data"),
    prevent_initial_call=True,
)
def turn(_prev, _next, state):
    from dash import ctx

    stack = list(state["stack"])
    if ctx.triggered_id == "seg-next" and state["next"]:
        stack.append(int(state["next"]))
    elif ctx.triggered_id == "seg-prev" and len(stack) > 1:
        stack.pop()
    else:
        return no_update, no_update, no_update, no_update
    page = _page(state["segment"], stack[-1])
    new = {**state, "stack": stack, "next": page["next"]}
    return _table(page), new, len(stack) == 1, page["next"] is None


@callback(
    Output("seg-download", "data"),
    Input("seg-export", "n_clicks"),
    State("seg-cursors", "data"),
    prevent_initial_call=True,
)
def export(_n, state):
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(["id", "email", "external_id"])
    after = None
    while True:
        with runtime().db.session() as s:
            page = service.members_page(s, account_id(), state["segment"], 1000, after)
        for m in page["members"]:
            out.writerow([m["id"], m["email"] or "", m["external_id"] or ""])
        if page["next"] is None:
            break
        after = int(page["next"])
    return dcc.send_string(buf.getvalue(), f"segment-{state['segment']}-members.csv")
