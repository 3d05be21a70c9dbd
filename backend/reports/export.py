"""One entry point for every export format of a dashboard or one of its cards."""

from __future__ import annotations

import re
from dataclasses import replace

from backend.errors import Invalid
from backend.reports import chromium, static_html
from backend.reports.csv_export import to_csv
from backend.reports.html_export import to_html
from backend.reports.images import render
from backend.reports.model import Report
from backend.reports.static_html import Figure

DASHBOARD_FORMATS = ("png", "pdf", "csv", "html")
CARD_FORMATS = ("png", "svg", "csv")


class UnknownFormat(Invalid):
    pass


def dashboard(report: Report, fmt: str, figure: Figure) -> bytes:
    if fmt == "csv":
        return to_csv(report)
    if fmt == "html":
        return to_html(report, figure).encode("utf-8")
    if fmt == "pdf":
        return chromium.pdf(static_html.print_html(report, figure))
    if fmt == "png":
        html, width, height = static_html.grid_html(report, figure)
        return chromium.png(html, width, height)
    raise UnknownFormat(f"format must be one of {', '.join(DASHBOARD_FORMATS)}, not {fmt!r}")


def card(report: Report, card_id: str, fmt: str, figure: Figure) -> bytes:
    """One card of the report. Raises KeyError for an unknown card id."""
    data = next((c for c in report.cards if c.card["id"] == card_id), None)
    if data is None:
        raise KeyError(card_id)
    if fmt == "csv":
        return to_csv(replace(report, cards=[data]))
    if fmt not in ("png", "svg"):
        raise UnknownFormat(f"format must be one of {', '.join(CARD_FORMATS)}, not {fmt!r}")
    fig = figure(data)
    if fig is None:  # a number or table card: render it as the grid shows it
        html, width, height = static_html.grid_html(replace(report, cards=[data]), figure)
        if fmt == "svg":
            raise UnknownFormat("number and table cards export as png or csv, not svg")
        return chromium.png(html, width, height)
    w, h = (
        data.card.get("w", 6) * static_html.GRID_COL_PX,
        data.card.get("h", 4) * static_html.GRID_ROW_PX,
    )
    return render(fig, fmt, width=max(w, 480), height=max(h, 320), scale=2 if fmt == "png" else 1)


def filename(report: Report, fmt: str, suffix: str = "") -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", report.title.lower()).strip("-") or "dashboard"
    return f"{slug}{suffix}-{report.generated_at:%Y-%m-%d}.{fmt}"
