"""Inline SVG icons (no web fetches: the console must work offline)."""

from __future__ import annotations

from dash import html

_PATHS = {
    "dot": "M12 12m-3 0a3 3 0 1 0 6 0a3 3 0 1 0 -6 0",
    "chart": "M4 19h16M7 16V10M12 16V5M17 16v-8",
    "flow": "M6 4h4v4H6zM14 16h4v4h-4zM8 8v4h8v4",
    "form": "M5 4h14v16H5zM8 9h8M8 13h8M8 17h5",
    "user": "M12 12a4 4 0 1 0 0-8a4 4 0 0 0 0 8zM4 20c0-4 4-6 8-6s8 2 8 6",
    "settings": "M12 15a3 3 0 1 0 0-6a3 3 0 0 0 0 6zM19 12h2M3 12h2M12 3v2M12 19v2M17 7l1.5-1.5M5.5 18.5L7 17M17 17l1.5 1.5M5.5 5.5L7 7",
    "key": "M15 7a4 4 0 1 0 -3.9 5L5 18v2h3v-2h2v-2l1.9-1.9A4 4 0 0 0 15 7z",
    "copy": "M8 8h12v12H8zM4 16V4h12",
    "list": "M9 6h11M9 12h11M9 18h11M4 6h.01M4 12h.01M4 18h.01",
    "trash": "M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3",
}


def icon(name: str, size: int = 18) -> html.Span:
    """A decorative icon (hidden from screen readers; its link or button carries the label)."""
    return html.Span(
        html.Img(
            src=(
                "data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' "
                f"width='{size}' height='{size}' viewBox='0 0 24 24' fill='none' "
                "stroke='%234263eb' stroke-width='2' stroke-linecap='round' "
                f"stroke-linejoin='round'><path d='{_PATHS.get(name, _PATHS['dot'])}'/></svg>"
            ),
            alt="",
            width=size,
            height=size,
        ),
        className="icon",
        **{"aria-hidden": "true"},
    )
