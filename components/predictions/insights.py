"""Two cards over the stored predictions: how total CLV is spread across profiles, and the
customers with the highest predicted CLV (each a link to their profile)."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import dcc, html

from backend.predictions import read
from components.dashboard.card import GRAPH_CONFIG
from components.dashboard.numbers import full
from components.predictions.figures import clv_distribution


def _card(title: str, key: str, body) -> dmc.Paper:
    return dmc.Paper(
        html.Section(
            [html.H3(title, className="section-subtitle", id=f"{key}-title"), body],
            **{"aria-labelledby": f"{key}-title"},
        ),
        p="md",
        withBorder=True,
        radius="md",
        id=key,
    )


def insight_cards(session, account_id: str) -> dmc.SimpleGrid | html.Div:
    values = read.clv_values(session, account_id)
    if not values:
        return html.Div()  # no predictions stored (gates not met)
    top = read.top_customers(session, account_id, limit=10)
    rows = [
        html.Tr(
            [
                html.Td(
                    dcc.Link(
                        t["email"] or t["user_id"] or f"#{t['id']}", href=f"/profiles/{t['id']}"
                    )
                ),
                html.Td(full(t["predicted_clv"], money=True)),
                html.Td(f"{t['expected_orders']:.1f}"),
                html.Td(f"{t['churn_probability'] * 100:.0f}%"),
            ]
        )
        for t in top
    ]
    table = dmc.Table(
        [
            html.Caption("Customers with the highest predicted CLV, next 365 days"),
            html.Thead(
                html.Tr(
                    [
                        html.Th("Customer", scope="col"),
                        html.Th("Predicted CLV", scope="col"),
                        html.Th("Expected orders", scope="col"),
                        html.Th("Churn risk", scope="col"),
                    ]
                )
            ),
            html.Tbody(rows),
        ],
        id="predictions-top-table",
    )
    chart = html.Figure(
        [
            dcc.Graph(
                figure=clv_distribution(values), config=GRAPH_CONFIG, id="predictions-clv-chart"
            ),
            html.Figcaption(
                f"{len(values):,} profiles by total CLV (historic + next 365 days), log-spaced.",
                className="muted",
            ),
        ],
        style={"margin": 0},
    )
    return dmc.SimpleGrid(
        [
            _card("CLV distribution", "predictions-clv-card", chart),
            _card("Top predicted customers", "predictions-top-card", table),
        ],
        cols={"base": 1, "md": 2},
    )
