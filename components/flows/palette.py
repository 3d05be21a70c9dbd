"""The palette: one button per kind of step. Click (or Enter) adds the step to the canvas;
dragging it onto the canvas drops it where released (assets/flows.js sets the drag data)."""

from __future__ import annotations

from dash import html

from components.flows.catalog import KINDS


def palette() -> html.Nav:
    return html.Nav(
        [
            html.H2("Add a step", className="section-title"),
            *[
                html.Button(
                    [html.Span(k.glyph, className="fn-glyph", **{"aria-hidden": "true"}), k.label],
                    id={"type": "flow-palette", "kind": k.key},
                    className="fn-palette-item",
                    draggable="true",
                    title=f"Add a {k.label.lower()} (click, or drag onto the canvas)",
                    **{"data-flow-kind": k.key},
                )
                for k in KINDS.values()
            ],
        ],
        className="fn-palette",
        **{"aria-label": "Steps you can add"},
    )
