"""Pure data -> go.Figure for predictions, in the dashboards' "tally" template and palette."""

from __future__ import annotations

import plotly.graph_objects as go

from components.dashboard.numbers import full, human
from components.dashboard.theme import PALETTE  # registers the "tally" template


def backtest(trial: dict) -> go.Figure:
    """Predicted against actual orders per customer in the holdout, by how many orders the
    customers had placed before it."""
    buckets = trial.get("buckets") or []
    labels = [f"{b['orders']} order{'' if b['orders'] == '1' else 's'}" for b in buckets]
    customers = [f"{b['customers']:,} customers" for b in buckets]
    fig = go.Figure(
        [
            go.Bar(
                name="Predicted",
                x=labels,
                y=[b["predicted"] for b in buckets],
                marker_color=PALETTE[0],
                customdata=customers,
                hovertemplate="%{x}, %{customdata}<br>predicted %{y:.2f} orders<extra></extra>",
            ),
            go.Bar(
                name="Actual",
                x=labels,
                y=[b["actual"] for b in buckets],
                marker_color=PALETTE[1],
                customdata=customers,
                hovertemplate="%{x}, %{customdata}<br>actual %{y:.2f} orders<extra></extra>",
            ),
        ]
    )
    fig.update_layout(
        template="tally",
        barmode="group",
        height=260,
        xaxis_title="Orders before the holdout",
        yaxis_title="Orders per customer in the holdout",
        yaxis_tickformat=".1f",
    )
    return fig


def clv_distribution(buckets, title: str = "Total CLV") -> go.Figure:
    """How many profiles have each CLV: bars over backend.predictions.cards.histogram's
    log-spaced buckets (CLV is heavy-tailed)."""
    fig = go.Figure()
    if buckets:
        fig.add_bar(
            x=[f"{human(b.low, True)}–{human(b.high, True)}" for b in buckets],
            y=[b.profiles for b in buckets],
            marker_color=PALETTE[0],
            customdata=[[full(b.profiles), full(b.clv, True)] for b in buckets],
            hovertemplate="%{x}: %{customdata[0]} profiles, %{customdata[1]} in all<extra></extra>",
        )
    fig.update_layout(
        template="tally", height=240, xaxis_title=title, yaxis_title="Profiles", bargap=0.05
    )
    return fig
