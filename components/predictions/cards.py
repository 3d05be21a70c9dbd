"""The two prediction cards' bodies, one home for Settings -> Predictions and the dashboard:
the CLV distribution (a histogram with its median and top-10% share in words) and the top
predicted customers (a table linking each to their profile). Figures come from
backend.predictions.cards; an account without predictions gets an empty state naming the
unmet gate and linking to Settings."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import dcc, html

from backend.predictions.cards import PredictionCard, customer_label, summary
from components.dashboard.numbers import full
from components.predictions.figures import clv_distribution

GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}
CLV_TITLES = {"total": "Total CLV", "predicted": "Predicted CLV, next 365 days"}


def blocked(pc: PredictionCard) -> html.Div:
    return html.Div(
        [
            dmc.Text(pc.blocked, size="sm"),
            dmc.Text(
                [
                    dcc.Link("Settings › Predictions", href="/settings#settings-pred-title"),
                    " shows each gate with its figure and fits again on Refresh.",
                ],
                size="sm",
                c="dimmed",
            ),
        ],
        className="dcard-empty pcard-blocked",
    )


def distribution(pc: PredictionCard, graph_id: dict | str, height: int | None = None):
    fig = clv_distribution(pc.buckets, CLV_TITLES.get(pc.clv, "CLV"))
    if height:
        fig.update_layout(height=height)
    return html.Figure(
        [
            dcc.Graph(figure=fig, config=GRAPH_CONFIG, id=graph_id, className="pcard-graph"),
            html.Figcaption(summary(pc), className="muted pcard-summary"),
        ],
        style={"margin": 0},
    )


def top_table(pc: PredictionCard, table_id: str | None = None) -> html.Div:
    rows = [
        html.Tr(
            [
                html.Td(dcc.Link(customer_label(c), href=f"/profiles/{c['id']}")),
                html.Td(full(c["predicted_clv"], money=True), className="num"),
                html.Td(f"{c['expected_orders']:.1f}", className="num"),
                html.Td(f"{c['churn_probability'] * 100:.0f}%", className="num"),
            ]
        )
        for c in pc.customers
    ]
    heads = ("Customer", "Predicted CLV", "Expected orders", "Churn risk")
    return html.Div(
        html.Table(
            [
                html.Caption(
                    "Customers with the highest predicted CLV, next 365 days", className="muted"
                ),
                html.Thead(
                    html.Tr(
                        [
                            html.Th(h, scope="col", className="num" if i else None)
                            for i, h in enumerate(heads)
                        ]
                    )
                ),
                html.Tbody(rows),
            ],
            className="dcard-table",
            **({"id": table_id} if table_id else {}),
        ),
        className="dcard-table-wrap",
    )


def body(pc: PredictionCard, graph_id: dict | str, table_id: str | None = None):
    if pc.blocked:
        return blocked(pc)
    if pc.kind == "top_customers":
        return top_table(pc, table_id)
    return distribution(pc, graph_id)
