"""Settings -> Predictions' two cards over the stored predictions: how total CLV is spread
across profiles, and the customers with the highest predicted CLV. The same bodies are the
dashboard's prediction cards (components/predictions/cards.py)."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import html

from backend.predictions import cards
from components.predictions.cards import body


def _card(title: str, key: str, content) -> dmc.Paper:
    return dmc.Paper(
        html.Section(
            [html.H3(title, className="section-subtitle", id=f"{key}-title"), content],
            **{"aria-labelledby": f"{key}-title"},
        ),
        p="md",
        withBorder=True,
        radius="md",
        id=key,
    )


def insight_cards(session, account_id: str) -> dmc.SimpleGrid | html.Div:
    spread = cards.load(session, account_id, "clv_distribution")
    if spread.blocked:
        return html.Div()  # no predictions stored: the gates above say why
    top = cards.load(session, account_id, "top_customers", top=10)
    return dmc.SimpleGrid(
        [
            _card(
                "CLV distribution",
                "predictions-clv-card",
                body(spread, "predictions-clv-chart"),
            ),
            _card(
                "Top predicted customers",
                "predictions-top-card",
                body(top, "predictions-top-chart", "predictions-top-table"),
            ),
        ],
        cols={"base": 1, "md": 2},
    )
