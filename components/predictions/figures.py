"""Pure data -> go.Figure for predictions, in the dashboards' "tally" template and palette."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from components.dashboard.figures import PALETTE
from components.dashboard.numbers import full, human


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


def clv_distribution(values: list[float], bins: int = 20) -> go.Figure:
    """How many profiles have each total CLV (log-spaced bins: CLV is heavy-tailed)."""
    arr = np.asarray([v for v in values if v is not None and v > 0], dtype=float)
    fig = go.Figure()
    if len(arr):
        edges = np.unique(np.geomspace(max(arr.min(), 1.0), max(arr.max(), 2.0), bins + 1))
        counts, edges = np.histogram(np.clip(arr, edges[0], edges[-1]), bins=edges)
        labels = [
            f"{human(a, True)}–{human(b, True)}" for a, b in zip(edges[:-1], edges[1:], strict=True)
        ]
        fig.add_bar(
            x=labels,
            y=counts,
            marker_color=PALETTE[0],
            customdata=[full(int(c)) for c in counts],
            hovertemplate="%{x}: %{customdata} profiles<extra></extra>",
        )
    fig.update_layout(template="tally", height=240, xaxis_title="Total CLV", bargap=0.05)
    return fig
