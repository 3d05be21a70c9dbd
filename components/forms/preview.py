"""The live preview: the storefront's own embed.js, in preview mode, inside iframes at
desktop and mobile widths, so what the marketer sees is what shoppers get."""

from __future__ import annotations

import json
from html import escape

from dash import html

from backend.forms.embed_asset import versioned_path
from backend.forms.schema import public_view

# Real viewport sizes (so the script's own breakpoints apply), drawn scaled down to fit.
WIDTHS = {"desktop": (1280, 760, 0.5), "mobile": (375, 667, 0.75)}


def srcdoc(form_id: int, definition: dict) -> str:
    data = escape(json.dumps(public_view(form_id, 0, definition)), quote=True)
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'></head>"
        "<body style='margin:0;background:#eef1f5;min-height:100vh'>"
        "<div id='tally-preview' style='padding:16px'></div>"
        f"<script src='{versioned_path()}' data-tally-preview=\"{data}\"></script>"
        "</body></html>"
    )


def preview_frames(doc: str) -> html.Div:
    return html.Div(
        [
            html.Figure(
                [
                    html.Figcaption(f"{name.title()} ({w} px)", className="fe-preview-caption"),
                    html.Div(
                        html.Iframe(
                            id=f"fe-preview-{name}",
                            srcDoc=doc,
                            title=f"{name} preview",
                            width=str(w),
                            height=str(h),
                            style={
                                "border": 0,
                                "transform": f"scale({k})",
                                "transformOrigin": "0 0",
                                "background": "#fff",
                            },
                        ),
                        style={
                            "width": w * k,
                            "height": h * k,
                            "overflow": "hidden",
                            "border": "1px solid #ced4da",
                            "borderRadius": 8,
                        },
                        className=f"fe-frame fe-frame-{name}",
                    ),
                ],
                style={"margin": 0},
            )
            for name, (w, h, k) in WIDTHS.items()
        ],
        style={"display": "flex", "gap": 16, "flexWrap": "wrap", "alignItems": "flex-start"},
    )
