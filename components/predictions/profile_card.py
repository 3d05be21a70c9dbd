"""The profile page's Predictions card: each figure with one line saying what it means."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import dcc, html

from components.dashboard.numbers import full
from components.format import parse_iso


def _row(label: str, value: str, meaning: str, key: str) -> html.Div:
    return html.Div(
        [
            dmc.Text(label, size="xs", c="dimmed", tt="uppercase", fw=600),
            html.Div(value, className="fact-value", id=f"prediction-{key}"),
            dmc.Text(meaning, size="xs", c="dimmed"),
        ]
    )


def _next_order(ts: str | None) -> str:
    d = parse_iso(ts)
    return d.strftime("%d %b %Y") if d else "Not expected"


def predictions_card(pred: dict | None) -> dmc.Paper:
    title = html.H2("Predictions", className="section-title", id="profile-predictions-title")
    if pred is None:
        return dmc.Paper(
            [
                title,
                dmc.Text(
                    [
                        "No predictions for this account yet: they need enough order history. ",
                        dcc.Link("Settings › Predictions", href="/settings"),
                        " shows what is missing.",
                    ],
                    size="sm",
                    c="dimmed",
                ),
            ],
            p="lg",
            withBorder=True,
            radius="md",
            id="profile-predictions",
        )
    churn = pred["churn_probability"]
    rows = [
        _row(
            "Historic CLV",
            full(pred["historic_clv"], money=True),
            "What they have spent so far.",
            "historic",
        ),
        _row(
            "Predicted CLV",
            full(pred["predicted_clv"], money=True),
            "What they are expected to spend in the next 365 days.",
            "predicted",
        ),
        _row(
            "Total CLV",
            full(pred["total_clv"], money=True),
            "Historic and predicted together.",
            "total",
        ),
        _row(
            "Expected orders",
            f"{pred['expected_orders']:.1f}",
            "Orders they are expected to place in the next 365 days.",
            "orders",
        ),
        _row(
            "Churn risk",
            f"{churn * 100:.0f}%",
            "The chance they have stopped buying for good.",
            "churn",
        ),
        _row(
            "Expected next order",
            _next_order(pred["expected_next_order"]),
            "When their next order is more likely than not to have happened.",
            "next",
        ),
        _row(
            "Average order value",
            full(pred["average_order_value"], money=True),
            "Their spend per order so far (the store's average before a first order).",
            "aov",
        ),
    ]
    return dmc.Paper(
        html.Section(
            [title, dmc.SimpleGrid(rows, cols={"base": 1, "sm": 2, "md": 3})],
            **{"aria-labelledby": "profile-predictions-title"},
        ),
        p="lg",
        withBorder=True,
        radius="md",
        id="profile-predictions",
    )
