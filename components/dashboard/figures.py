"""Pure data -> go.Figure for dashboard cards, in one plotly template ("tally").

Colours: the Okabe-Ito palette, distinguishable with the common colour-vision deficiencies.
Every clickable mark carries customdata [kind, value]: ["t", "YYYY-MM-DD"] for a time
bucket, ["country", "US"] for a country; the dashboard turns a click into a filter.
"""

from __future__ import annotations

import plotly.graph_objects as go

from backend.analytics import OTHER_KEY
from backend.dashboards import CardData
from backend.dashboards.countries import map_name, name
from components.dashboard.numbers import full
from components.dashboard.theme import PALETTE, PREVIOUS, SEQUENTIAL  # registers "tally"
from components.predictions.figures import clv_distribution


def key_label(key: str | None, by: str | None) -> str:
    if key == OTHER_KEY:
        return "Other"
    if key is None:
        return "Total" if by is None else f"No {by}"
    return name(key) if by == "country" else str(key)


def _money(data: CardData) -> bool:
    return data.measure == "revenue"


def _base(fig: go.Figure, data: CardData) -> go.Figure:
    fig.update_layout(
        template="tally", autosize=True, showlegend=len(fig.data) > 1, clickmode="event"
    )
    if _money(data):
        fig.update_yaxes(tickprefix="$")
    return fig


WHEN = {
    "hour": "%{x|%b %d, %H:00}",
    "day": "%{x|%a %b %d, %Y}",
    "week": "week of %{x|%b %d}",
    "month": "%{x|%B %Y}",
}


def _hover(data: CardData, value: str | None = None) -> str:
    value = value or ("$%{y:,.2f}" if _money(data) else "%{y:,.0f}")
    when = WHEN[data.interval]
    # customdata[2] is " (so far)" on a bucket that is not whole
    return "%{fullData.name}<br>" + when + "%{customdata[2]}<br><b>" + value + "</b><extra></extra>"


def _segments(x: list, partial: set) -> list[int]:
    """Indices of the dashed "so far" line: each partial bucket and its whole neighbour, with
    -1 between runs that do not touch (a gap in the line)."""
    keep = sorted(
        {j for j, t in enumerate(x) if t in partial}
        | {j + d for j, t in enumerate(x) if t in partial for d in (-1, 1) if 0 <= j + d < len(x)}
    )
    out: list[int] = []
    for j in keep:
        if out and j != out[-1] + 1:
            out.append(-1)
        out.append(j)
    return out


def time_series(data: CardData, kind: str) -> go.Figure:
    """line | bar | area: one trace per series key, plus the previous period when compared.
    Buckets not whole (today so far, a week the range cuts) are drawn apart: a dashed
    line outside the solid line or filled area, a paler bar; their hover says "so far"."""
    fig = go.Figure()
    by = data.card.get("by") if data.card["chart"] != "number" else None
    m = data.measure
    partial = set(data.partial)
    money = _money(data)
    stacked: dict = {}  # area: the running stack height per bucket, for the dashed tops
    for i, (key, part) in enumerate(data.frame.groupby("key", sort=False, dropna=False)):
        key = None if key != key else key  # NaN -> None
        x, y = list(part["t"]), list(part[m])
        # A one-day view's hours are not drilled into (the day is already the whole range).
        kind_of_x = "hour" if data.one_day else "t"
        custom = [[kind_of_x, t.date().isoformat(), " (so far)" if t in partial else ""] for t in x]
        name = key_label(key, by)
        colour = PALETTE[i % len(PALETTE)]
        whole = [j for j, t in enumerate(x) if t not in partial]
        if kind == "bar":
            fig.add_bar(
                x=x,
                y=y,
                name=name,
                customdata=custom,
                hovertemplate=_hover(data),
                marker={"color": colour, "opacity": [0.4 if t in partial else 1.0 for t in x]},
            )
            continue
        shown = whole
        common = {
            "x": [x[j] for j in shown],
            "y": [y[j] for j in shown],
            "name": name,
            "legendgroup": name,
            "customdata": [custom[j] for j in shown],
            "hovertemplate": _hover(data),
        }
        if kind == "area":
            fig.add_scatter(
                mode="lines", stackgroup="one", line={"width": 1.5, "color": colour}, **common
            )
        else:
            fig.add_scatter(
                mode="lines+markers" if len(x) < 40 else "lines",
                line={"width": 2, "color": colour},
                marker={"size": 5},
                **common,
            )
        if not partial & set(x):
            continue
        for j, t in enumerate(x):
            stacked[t] = stacked.get(t, 0) + (y[j] if kind == "area" else 0)
        tops = [stacked[t] if kind == "area" else y[j] for j, t in enumerate(x)]
        seg = _segments(x, partial)
        fig.add_scatter(
            x=[x[j] if j >= 0 else None for j in seg],
            y=[tops[j] if j >= 0 else None for j in seg],
            text=[full(y[j], money) if j >= 0 else "" for j in seg],
            customdata=[custom[j] if j >= 0 else ["", "", ""] for j in seg],
            name=f"{name}, so far",
            legendgroup=name,
            showlegend=by is None,
            mode="lines+markers",
            line={"width": 2, "dash": "dash", "color": colour},
            marker={"size": 5, "symbol": "circle-open"},
            hovertemplate=_hover(data, "%{text}"),
        )
    if data.previous is not None and by is None:
        cur = list(data.frame["t"])
        prev = data.previous
        n = min(len(cur), len(prev))
        fig.add_scatter(
            x=cur[:n],
            y=prev[m][:n],
            name="Previous period",
            mode="lines",
            line={"width": 1.5, "dash": "dot", "color": PREVIOUS},
            customdata=[["prev", _stamp(t, data.interval), ""] for t in prev["t"][:n]],
            hovertemplate="Previous period<br>%{customdata[1]}<br><b>"
            + ("$%{y:,.2f}" if _money(data) else "%{y:,.0f}")
            + "</b><extra></extra>",
        )
    if kind == "bar":
        fig.update_layout(barmode="stack", bargap=0.15)
    stamps = sorted(set(data.frame["t"]))
    if len(stamps) == 1:
        # One bucket: plotly pads a one-point date axis by a millisecond and labels its ticks
        # "23:59:59.9995"; name the bucket instead.
        fig.update_xaxes(tickvals=stamps, ticktext=[_stamp(stamps[0], data.interval)])
    return _base(fig, data)


def _stamp(t, interval: str) -> str:
    """A bucket's start as people read it."""
    if interval == "hour":
        return f"{t:%b %d, %H:00}"
    if interval == "week":
        return f"week of {t:%b %d}"
    if interval == "month":
        return f"{t:%B %Y}"
    return f"{t:%a %b %d, %Y}"


def totals(data: CardData) -> list[tuple[str | None, float]]:
    """(key, total of the measure) per series, in the frame's (ranked) order."""
    m = data.measure
    sums = data.frame.groupby("key", sort=False, dropna=False)[m].sum()
    return [(None if k != k else k, float(v)) for k, v in sums.items()]


def ranked_bars(data: CardData) -> go.Figure:
    """Top values of the group-by dimension as horizontal bars, largest on top."""
    by = data.card["by"]
    rows = [(k, v) for k, v in totals(data) if k is not None or v > 0][::-1]
    labels = [key_label(k, by) for k, _ in rows]
    values = [v for _, v in rows]
    kind = "country" if by == "country" else by
    muted = [k is None or k == OTHER_KEY for k, _ in rows]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker_color=[PREVIOUS if m else PALETTE[0] for m in muted],
            text=[full(v, _money(data)) for v in values],
            textposition="outside",
            textangle=0,
            cliponaxis=False,
            customdata=[[kind, k] for k, _ in rows],
            hovertemplate="%{y}<br><b>%{text}</b><extra></extra>",
        )
    )
    fig.update_yaxes(type="category", automargin=True)
    fig.update_xaxes(showticklabels=False)
    fig = _base(fig, data)
    # The largest bar reaches the plot's right edge and its number is drawn past it: room
    # for that number in the right margin (about 7 px a character at 12 px), or it is cut.
    longest = max((len(t) for t in fig.data[0].text or ()), default=0)
    fig.update_layout(margin={"r": 8 + 7 * longest})
    return fig


def world_map(data: CardData) -> go.Figure:
    rows = [(k, v) for k, v in totals(data) if k not in (None, OTHER_KEY) and v > 0]
    fig = go.Figure(
        go.Choropleth(
            locations=[map_name(k) for k, _ in rows],
            locationmode="country names",
            z=[v for _, v in rows],
            text=[name(k) for k, _ in rows],
            customdata=[["country", k] for k, _ in rows],
            colorscale=SEQUENTIAL,
            marker_line_color="#fff",
            marker_line_width=0.5,
            showscale=False,
            hovertemplate="%{text}<br><b>"
            + ("$%{z:,.2f}" if _money(data) else "%{z:,.0f}")
            + "</b><extra></extra>",
        )
    )
    fig.update_geos(
        showframe=False,
        showcoastlines=False,
        showcountries=True,
        countrycolor="#dee2e6",
        showland=True,
        landcolor="#f1f3f5",
        projection_type="natural earth",
        lataxis_range=[-58, 85],
    )
    return _base(fig, data)


def figure(data: CardData) -> go.Figure | None:
    """The card's chart; None for cards that are not charts (number, table)."""
    chart = data.card["chart"]
    if data.predictions is not None:  # exports of a prediction card: its histogram or None
        pc = data.predictions
        return clv_distribution(pc.buckets) if chart == "clv_distribution" and pc.buckets else None
    if chart in ("clv_distribution", "top_customers"):
        return None
    if chart == "map":
        return world_map(data)
    if chart == "bar" and data.card.get("by"):
        return ranked_bars(data)
    if chart in ("line", "bar", "area"):
        return time_series(data, chart)
    return None
