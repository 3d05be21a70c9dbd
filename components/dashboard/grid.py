"""The card grid (dash-snap-grid): 12 columns, drag by a card's header, resize from its
corner. The grid's `layout` prop changes when a drag or resize ends (react-grid-layout's
onLayoutChange), which is when the page saves it."""

from __future__ import annotations

from dash import html
from dash_snap_grid import Grid

from backend.dashboards.schema import COLS
from components.dashboard.card import item_id

GRID_ID = "dashboard-grid"
ROW_HEIGHT = 150


def layout_of(cards: list[dict]) -> list[dict]:
    return [
        {
            "i": item_id(c["id"]),
            "x": c["x"],
            "y": c["y"],
            "w": c["w"],
            "h": c["h"],
            "minW": 2,
            "minH": 1,
        }
        for c in cards
    ]


def positions(layout: list[dict]) -> list[dict]:
    """Grid layout -> [{"i": card id, x, y, w, h}] for service.save_layout()."""
    prefix = item_id("")
    return [
        {"i": item["i"][len(prefix) :], **{k: item[k] for k in ("x", "y", "w", "h")}}
        for item in layout or []
        if str(item.get("i", "")).startswith(prefix)
    ]


def grid(children: list, layout: list[dict]) -> html.Div:
    return html.Div(
        Grid(
            id=GRID_ID,
            cols=COLS,
            rowHeight=ROW_HEIGHT,
            compactType="vertical",
            draggableHandle=".dcard-handle",
            draggableCancel=".dcard-actions",
            margin=[12, 12],
            containerPadding=[0, 0],
            layout=layout,
            children=children,
        ),
        className="dashboard-grid-wrap",
    )
