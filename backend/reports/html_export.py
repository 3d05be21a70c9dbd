"""A self-contained interactive HTML report: plotly.js and the world map are inlined, so it
opens offline and loads nothing from anywhere."""

from __future__ import annotations

import json
from functools import lru_cache

from markupsafe import Markup
from plotly.offline import get_plotlyjs

from backend.config import PROJECT_ROOT
from backend.reports import prediction_cards
from backend.reports.model import Report
from backend.reports.static_html import Figure, _env, card_view


def _script_safe(text: str) -> Markup:
    # JSON inside <script>: "</" would end the element early.
    return Markup(text.replace("</", "<\\/"))


@lru_cache(maxsize=1)
def _assets() -> tuple[Markup, Markup]:
    world = (PROJECT_ROOT / "assets" / "topojson" / "world_110m.json").read_text()
    geo = "window.PlotlyGeoAssets = {topojson: {world_110m: " + world + "}};"
    return _script_safe(geo), _script_safe(get_plotlyjs())


def to_html(report: Report, figure: Figure) -> str:
    cards = []
    for i, data in enumerate(report.cards):
        view = card_view(data, lambda _d: None, 0, 0)  # numbers and tables, no static chart
        fig = figure(data) if data.card["chart"] not in ("number", "table") else None
        if fig is not None:
            fig.update_layout(paper_bgcolor="white", plot_bgcolor="white")
            view["figure_json"] = _script_safe(fig.to_json())
        view["dom_id"] = f"card-{i}"
        view["csv"] = (
            prediction_cards.points(data.predictions)
            if data.predictions is not None
            else data.frame.assign(t=data.frame["t"].astype(str)).to_dict("records")
        )
        cards.append(view)
    geo, plotly_js = _assets()
    data_json = _script_safe(
        json.dumps([{"title": c["title"], "points": c["csv"]} for c in cards], default=str)
    )
    return _env.get_template("interactive.html").render(
        report=report, cards=cards, geo=geo, plotly_js=plotly_js, data_json=data_json
    )
