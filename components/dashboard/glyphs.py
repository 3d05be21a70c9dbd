"""Icons the dashboard needs beyond components/icons.py, drawn the same way (inline SVG)."""

from __future__ import annotations

from dash import html

from components.icons import icon as shared_icon

_PATHS = {
    "grip": "M9 6h.01M15 6h.01M9 12h.01M15 12h.01M9 18h.01M15 18h.01",
    "edit": "M4 20h4L19 9l-4-4L4 16zM13 7l4 4",
    "plus": "M12 5v14M5 12h14",
    "expand": "M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5",
    "refresh": "M20 11a8 8 0 1 0-2 5.3M20 4v7h-7",
    "move": "M12 3v18M3 12h18M9 6l3-3 3 3M9 18l3 3 3-3M6 9l-3 3 3 3M18 9l3 3-3 3",
}


def icon(name: str, size: int = 18) -> html.Span:
    path = _PATHS.get(name)
    if path is None:
        return shared_icon(name, size)
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{size}' height='{size}' "
        "viewBox='0 0 24 24' fill='none' stroke='%23495057' stroke-width='2' "
        f"stroke-linecap='round' stroke-linejoin='round'><path d='{path}'/></svg>"
    )
    return html.Span(
        html.Img(src="data:image/svg+xml;utf8," + svg, alt="", width=size, height=size),
        className="icon",
        **{"aria-hidden": "true"},
    )
