"""Report pages as static HTML with inline SVG charts: printed to PDF and screenshotted to
PNG by Chromium. Every value is escaped by Jinja's autoescape."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import plotly.graph_objects as go
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from backend.dashboards.query import CardData
from backend.reports import prediction_cards, text
from backend.reports.images import render
from backend.reports.model import Report, card_range_text

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
_env.filters["human"] = text.human
_env.filters["change"] = text.change

Figure = Callable[[CardData], go.Figure | None]
GRID_COL_PX = 100  # the dashboard grid: 12 columns
GRID_ROW_PX = 150  # components/dashboard/grid.py ROW_HEIGHT


def _svg(fig: go.Figure | None, width: int, height: int) -> Markup | None:
    if fig is None:
        return None
    svg = render(fig, "svg", width=width, height=height).decode("utf-8")
    return Markup(svg[svg.find("<svg") :])  # kaleido's own output, not user text


def card_view(data: CardData, figure: Figure, width: int, height: int) -> dict:
    money = data.measure == "revenue"
    if data.predictions is not None:  # CLV distribution, top predicted customers
        fig = figure(data) if width and data.card["chart"] == "clv_distribution" else None
        return {
            "title": data.card.get("title") or data.card["metric"],
            "metric": "Placed Order",
            "chart": data.card["chart"],
            **prediction_cards.view(data.predictions),
            "svg": _svg(fig, width, height),
            "x": data.card.get("x", 0),
            "y": data.card.get("y", 0),
            "w": data.card.get("w", 6),
            "h": data.card.get("h", 4),
        }
    return {
        "title": data.card.get("title") or data.card["metric"],
        "metric": data.card["metric"],
        "measure": "Revenue" if money else "Count",
        "chart": data.card["chart"],
        "range": card_range_text(data),
        "total": text.human(data.total, money),
        "change": text.change(data.change) if data.card.get("compare") else None,
        "note": data.note,
        "svg": _svg(figure(data), width, height)
        if data.card["chart"] not in ("number", "table")
        else None,
        "rows": text.table_rows(data) if data.card["chart"] == "table" else None,
        "x": data.card.get("x", 0),
        "y": data.card.get("y", 0),
        "w": data.card.get("w", 6),
        "h": data.card.get("h", 4),
    }


def print_html(report: Report, figure: Figure) -> str:
    cards = [card_view(c, figure, 860, 360) for c in report.cards]
    return _env.get_template("print.html").render(report=report, cards=cards)


def grid_html(report: Report, figure: Figure) -> tuple[str, int, int]:
    """The dashboard as laid out on its 12-column grid; returns (html, width, height)."""
    cards = []
    for c in report.cards:
        w, h = c.card.get("w", 6), c.card.get("h", 4)
        cards.append(card_view(c, figure, w * GRID_COL_PX - 24, h * GRID_ROW_PX - 70))
    rows = max([c["y"] + c["h"] for c in cards], default=2)
    width, height = 12 * GRID_COL_PX + 32, rows * GRID_ROW_PX + 110
    return (
        _env.get_template("grid.html").render(
            report=report, cards=cards, col=GRID_COL_PX, row=GRID_ROW_PX
        ),
        width,
        height,
    )
