"""The card editor: a drawer with every card setting and a live preview computed by the same
query as the dashboard. Opens from "Add card" or a card's edit button; saving stores the card
(service.upsert_card) and bumps the page's "dashboard-version" store so the grid redraws."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from backend import analytics
from backend.accounts.timezones import local_clock
from backend.dashboards import DashboardInvalid, card_data, schema, service
from backend.dashboards.ranges import PRESETS
from components.context import account_id, runtime
from components.dashboard.card import body
from components.dashboard.problems import card_problem
from components.dialogs import close_button

CHART_LABELS = {
    "line": "Line",
    "bar": "Bar",
    "area": "Stacked area",
    "number": "Big number with change",
    "table": "Table",
    "map": "World map by country",
    # Prediction cards read the stored predictions; metric, interval and range do not apply.
    "clv_distribution": "CLV distribution (predictions)",
    "top_customers": "Top predicted customers (predictions)",
}
FIELDS = [
    "title",
    "metric",
    "measure",
    "chart",
    "interval",
    "range",
    "custom",
    "compare",
    "by",
    "top",
    "w",
    "h",
    "clv",
]
# Size from the keyboard too (dragging the corner needs a pointer).


def _prop(name: str) -> str:
    return "checked" if name == "compare" else "value"


def _fid(name: str) -> str:
    return f"cedit-{name}"


def editor() -> html.Div:
    # card-editor-chart-was: the chart the editor showed last, so only a change of chart by
    # the person (not the opening of a card) turns "compare" on.
    return html.Div(
        [dcc.Store(id="card-editor-card"), dcc.Store(id="card-editor-chart-was"), _drawer()]
    )


def dimension_label(name: str) -> str:
    """Tally's own dimensions by name ("$flow" -> "Flow"); the account's as sent."""
    return name[1:].replace("_", " ").capitalize() if name.startswith("$") else name


def _drawer() -> dmc.Drawer:
    return dmc.Drawer(
        id="card-editor",
        position="right",
        size=520,
        padding="lg",
        closeButtonProps=close_button(),
        title=html.Span("Card", id="card-editor-heading"),
        children=[
            dmc.Stack(
                [
                    dmc.TextInput(id=_fid("title"), label="Title", placeholder="e.g. Revenue"),
                    dmc.Select(
                        id=_fid("metric"),
                        label="Metric",
                        data=[],
                        searchable=True,
                        nothingFoundMessage="No metric with this name yet",
                    ),
                    dmc.SegmentedControl(
                        id=_fid("measure"),
                        value="count",
                        data=[
                            {"value": "count", "label": "Count"},
                            {"value": "revenue", "label": "Revenue"},
                        ],
                        **{"aria-label": "Measure"},
                    ),
                    dmc.Select(
                        id=_fid("chart"),
                        label="Chart",
                        allowDeselect=False,
                        value="line",
                        data=[{"value": k, "label": v} for k, v in CHART_LABELS.items()],
                    ),
                    dmc.Group(
                        [
                            dmc.Select(
                                id=_fid("interval"),
                                label="Interval",
                                value="day",
                                w=140,
                                allowDeselect=False,
                                data=[
                                    {"value": i, "label": i.capitalize()} for i in schema.INTERVALS
                                ],
                            ),
                            dmc.Select(
                                id=_fid("range"),
                                label="Date range",
                                value="",
                                w=220,
                                allowDeselect=False,
                                data=[{"value": "", "label": "Dashboard's"}]
                                + [{"value": k, "label": v} for k, v in PRESETS.items()]
                                + [{"value": "custom", "label": "Custom…"}],
                            ),
                        ]
                    ),
                    dmc.DatePickerInput(
                        id=_fid("custom"),
                        label="Custom range",
                        type="range",
                        value=[None, None],
                        allowSingleDateInRange=True,
                    ),
                    dmc.Switch(id=_fid("compare"), label="Compare with the previous period"),
                    dmc.Group(
                        [
                            dmc.Select(
                                id=_fid("by"),
                                label="Group by",
                                data=[],
                                value="",
                                w=220,
                                allowDeselect=False,
                            ),
                            dmc.NumberInput(
                                id=_fid("top"),
                                label="Top",
                                value=5,
                                min=1,
                                max=schema.MAX_TOP,
                                w=100,
                            ),
                        ]
                    ),
                    dmc.Group(
                        [
                            dmc.NumberInput(
                                id=_fid("w"),
                                label="Width (of 12 columns)",
                                value=6,
                                min=1,
                                max=schema.COLS,
                                w=170,
                            ),
                            dmc.NumberInput(
                                id=_fid("h"), label="Height (rows)", value=2, min=1, max=6, w=130
                            ),
                        ]
                    ),
                    dmc.SegmentedControl(
                        id=_fid("clv"),
                        value="total",
                        data=[
                            {"value": "total", "label": "Total CLV"},
                            {"value": "predicted", "label": "Predicted CLV"},
                        ],
                        **{"aria-label": "CLV shown (CLV distribution cards)"},
                    ),
                    html.Div(id=_fid("error"), role="alert", className="form-error"),
                    html.Div(
                        [
                            html.Div("Preview", className="section-label"),
                            html.Div(
                                id=_fid("preview"),
                                className="card-editor-preview",
                                **{"aria-live": "polite"},
                            ),
                        ]
                    ),
                    dmc.Group(
                        [
                            dmc.Button("Save card", id=_fid("save")),
                            dmc.Button("Cancel", id=_fid("cancel"), variant="default"),
                        ]
                    ),
                ],
                gap="sm",
            ),
        ],
    )


def card_from_fields(
    title, metric, measure, chart, interval, rng, custom, compare, by, top, w=6, h=2, clv=None
) -> dict:
    if rng == "custom":
        if not custom or len(custom) != 2 or not all(custom):
            raise DashboardInvalid("range", "pick the first and last day")
        rng = {"start": custom[0][:10], "end": custom[1][:10]}
    if chart in schema.PREDICTION_CHARTS:  # the schema names it; only these keys apply
        raw = {"title": title or None, "chart": chart, "top": int(top or 10)}
        raw |= {"clv": clv or "total"} if chart == "clv_distribution" else {}
        return raw | {"w": int(w or 6), "h": int(h or 3)}
    return {
        "title": title or metric,
        "metric": metric,
        "measure": measure,
        "chart": chart,
        "interval": interval,
        "range": rng or None,
        "compare": bool(compare),
        "by": by or None,
        "top": int(top or 5),
        "w": int(w or 6),
        "h": int(h or 2),
    }


def _choices(dashboard_id: int, card_id: str | None):
    with runtime().db.session() as s:
        metrics = [m["name"] for m in analytics.list_metrics(s, account_id())]
        dims = analytics.dimensions_of(s, account_id())
        current = None
        if card_id:
            d = service.get(s, account_id(), dashboard_id)
            current = next((c for c in d.definition["cards"] if c["id"] == card_id), None)
    return metrics, dims, current


@callback(
    Output("card-editor", "opened", allow_duplicate=True),
    Output("card-editor-card", "data"),
    Output("card-editor-heading", "children"),
    Output(_fid("metric"), "data"),
    Output(_fid("by"), "data"),
    Output("card-editor-chart-was", "data"),
    *[Output(_fid(f), _prop(f)) for f in FIELDS],
    Input("dash-add-card", "n_clicks"),
    Input({"type": "dcard-edit", "card": ALL}, "n_clicks"),
    State("dashboard-id", "data"),
    prevent_initial_call=True,
)
def open_editor(_add, _edits, dashboard_id):
    if not ctx.triggered or not ctx.triggered[0]["value"]:
        return (no_update,) * (6 + len(FIELDS))
    card_id = ctx.triggered_id["card"] if isinstance(ctx.triggered_id, dict) else None
    metrics, dims, c = _choices(dashboard_id, card_id)
    by_data = [{"value": "", "label": "Nothing"}] + [
        {"value": d, "label": dimension_label(d)} for d in dims
    ]
    if c is None:
        first = "Placed Order" if "Placed Order" in metrics else (metrics[0] if metrics else None)
        c = {
            "title": "",
            "metric": first,
            "measure": "count",
            "chart": "line",
            "interval": "day",
            "range": None,
            "compare": False,
            "by": None,
            "top": 5,
            "w": 6,
            "h": 2,
        }
    rng, custom = c["range"] or "", [None, None]
    if isinstance(rng, dict):
        rng, custom = "custom", [rng["start"], rng["end"]]
    values = [
        c["title"],
        c["metric"],
        c["measure"],
        c["chart"],
        c["interval"],
        rng,
        custom,
        c["compare"],
        c["by"] or "",
        c["top"],
        c["w"],
        c["h"],
        c.get("clv", "total"),
    ]
    return (
        True,
        card_id,
        "Edit card" if card_id else "Add a card",
        [{"value": m, "label": m} for m in metrics],
        by_data,
        c["chart"],
        *values,
    )


@callback(
    Output(_fid("compare"), "checked", allow_duplicate=True),
    Output("card-editor-chart-was", "data", allow_duplicate=True),
    Input(_fid("chart"), "value"),
    State("card-editor-chart-was", "data"),
    prevent_initial_call=True,
)
def number_compares(chart, was):
    """ "Big number with change" shows a change only with compare on: choosing it turns it on."""
    if chart == was:
        return no_update, no_update
    return (True if chart == "number" else no_update), chart


# Settings a prediction card does not use (it reads stored predictions, not counters) are
# hidden while one is picked; the CLV choice shows only for the CLV distribution.
COUNTER_ONLY = ("metric", "measure", "interval", "range", "custom", "compare", "by")


@callback(
    *[Output(_fid(f), "style") for f in COUNTER_ONLY],
    Output(_fid("clv"), "style"),
    Input(_fid("chart"), "value"),
)
def fields_for_chart(chart):
    hide, show = {"display": "none"}, {}
    counters = hide if chart in schema.PREDICTION_CHARTS else show
    return *(counters for _ in COUNTER_ONLY), (show if chart == "clv_distribution" else hide)


@callback(
    Output(_fid("preview"), "children"),
    *[Input(_fid(f), _prop(f)) for f in FIELDS],
    State("dashboard-id", "data"),
    State("dashboard-view", "data"),
    prevent_initial_call=True,
)
def preview(*args):
    *fields, _dashboard_id, view = args
    if not fields[1] and fields[3] not in schema.PREDICTION_CHARTS:
        return html.Div("Pick a metric to see a preview.", className="muted")
    try:
        raw = card_from_fields(*fields)
        c = schema.card({**raw, "id": "preview"})
        with runtime().db.session() as s:
            tz, today = local_clock(s, account_id())  # the same days as the dashboard
            counters = analytics.counter_store(runtime())
            data = card_data(counters, account_id(), c, view, today, tz, session=s)
    except DashboardInvalid as exc:
        return html.Div(card_problem(exc.field, exc.problem), className="form-error")
    except analytics.InvalidQuery as exc:
        return html.Div(str(exc), className="form-error")
    return html.Div(body(data, "card-editor-graph"), className="dcard-body")


@callback(
    Output("card-editor", "opened", allow_duplicate=True),
    Output("dashboard-version", "data", allow_duplicate=True),
    Output(_fid("error"), "children"),
    Input(_fid("save"), "n_clicks"),
    *[State(_fid(f), _prop(f)) for f in FIELDS],
    State("card-editor-card", "data"),
    State("dashboard-id", "data"),
    State("dashboard-version", "data"),
    prevent_initial_call=True,
)
def save(_n, *args):
    *fields, card_id, dashboard_id, version = args
    try:
        raw = card_from_fields(*fields)
        if card_id:
            raw["id"] = card_id
        with runtime().db.session() as s:
            service.upsert_card(s, account_id(), dashboard_id, raw)
    except DashboardInvalid as exc:
        return no_update, no_update, card_problem(exc.field, exc.problem)
    except ValueError as exc:
        return no_update, no_update, str(exc)
    return False, (version or 0) + 1, ""


@callback(
    Output("card-editor", "opened", allow_duplicate=True),
    Input(_fid("cancel"), "n_clicks"),
    prevent_initial_call=True,
)
def cancel(_n):
    return False
