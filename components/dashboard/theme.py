"""The charts' look, shared by every figure module (dashboards, predictions): the
Okabe-Ito palette, distinguishable with the common colour-vision deficiencies, and the
"tally" plotly template, registered on import."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#999999"]
PREVIOUS = "#9aa0a6"
SEQUENTIAL = [[0, "#e8f1f8"], [1, "#0072B2"]]

pio.templates["tally"] = go.layout.Template(
    layout=go.Layout(
        colorway=PALETTE,
        font={
            "family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
            "size": 12,
            "color": "#343a40",
        },
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        xaxis={
            "showgrid": False,
            "linecolor": "#ced4da",
            "ticks": "outside",
            "tickcolor": "#ced4da",
            "automargin": True,
        },
        yaxis={"gridcolor": "#eef0f2", "zeroline": False, "automargin": True, "tickformat": "~s"},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        hoverlabel={"bgcolor": "#fff", "bordercolor": "#ced4da"},
        hovermode="closest",
    )
)
