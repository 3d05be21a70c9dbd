"""Exports of dashboards and cards: CSV (tidy), PNG/SVG (kaleido), PDF and a grid PNG
(Chromium from static HTML with vector charts), and a self-contained interactive HTML.

Charts come from a `figure(card_data) -> go.Figure | None` function handed in by the
composition root (app.py passes the dashboard page's own, so exports look like the page)
and kept in `runtime.renderers["card_figure"]`: backend never imports the UI.
"""

from backend.reports.model import Report, build_report

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
}

__all__ = ["FORMATS", "Report", "build_report"]
