"""/dashboards/<id>: one dashboard. Cards on a draggable grid, dashboard-wide filters,
drill-down with a breadcrumb back, auto refresh and full screen.

The view (date range, country, drill-down trail) lives in the "dashboard-view" store and in
the page's link (backend/dashboards/view.py): trying a filter changes neither the dashboard
nor anyone else's page until "Save as default". The definition is read from the server on
every render, so a layout saved by a drag is what the next refresh draws."""

from __future__ import annotations

import time
from datetime import date

import dash
import dash_mantine_components as dmc
from dash import (
    ALL,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    html,
    no_update,
)
from flask import request

from backend import analytics
from backend.accounts.timezones import get_timezone, local_clock
from backend.dashboards import DashboardNotFound, bucket_range, dashboard_data, ranges, service
from backend.dashboards import layout as grid_steps
from backend.dashboards import view as views
from backend.dashboards.countries import name as country_name
from backend.reports import schedules
from components.context import account_id, runtime
from components.dashboard.card import card
from components.dashboard.card_editor import editor
from components.dashboard.export_menu import FORMATS as EXPORT_FORMATS
from components.dashboard.export_menu import export_href, export_menu
from components.dashboard.first_steps import first_steps
from components.dashboard.glyphs import icon
from components.dashboard.grid import GRID_ID, grid, layout_of, positions
from components.dashboard.problems import schedule_problem
from components.dashboard.schedule_modal import schedule_modal, schedule_summary
from components.dashboard.toolbar import toolbar

dash.register_page(
    __name__,
    path_template="/dashboards/<dashboard_id>",
    name="Dashboard",
    title="Dashboard · Tally",
    nav=False,
)


def _missing():
    return dmc.Stack(
        [
            html.H1("Dashboard not found", className="page-title"),
            dmc.Text(
                ["It may have been deleted. ", dcc.Link("Back to dashboards", href="/dashboards")]
            ),
        ]
    )


def layout(dashboard_id: str | None = None, **query):
    try:
        with runtime().db.session() as s:
            d = service.get(s, account_id(), int(dashboard_id or ""))
            name, saved = d.name, d.definition["filters"]
            filters = views.from_query(query, saved)
            no_events = not analytics.list_metrics(s, account_id())
            tz = get_timezone(s, account_id())
    except (ValueError, DashboardNotFound):
        return _missing()
    empty = (
        [
            dmc.Alert(
                title="No events yet: the cards fill in as events arrive",
                color="indigo",
                children=first_steps(request.host_url.rstrip("/"), "dash"),
            )
        ]
        if no_events
        else []
    )
    return html.Div(
        [
            dcc.Store(id="dashboard-id", data=int(dashboard_id)),
            dcc.Store(id="dashboard-version", data=0),
            dcc.Store(id="dashboard-view", data={**filters, "trail": []}),
            dcc.Store(id="dashboard-saved", data=saved),
            dcc.Store(id="dash-url-sink"),
            dmc.Group(
                [
                    html.Div(
                        [
                            dmc.Anchor("Dashboards", href="/dashboards", size="sm", id="dash-back"),
                            html.H1(name, className="page-title", id="dashboard-name"),
                        ]
                    ),
                    dmc.Group(
                        [
                            export_menu(int(dashboard_id), filters),
                            dmc.Button(
                                "Add card", id="dash-add-card", leftSection=icon("plus", 16)
                            ),
                        ],
                        gap="xs",
                    ),
                ],
                justify="space-between",
                align="flex-end",
            ),
            *empty,
            toolbar(filters, tz),
            html.Nav(
                id="dashboard-crumbs", className="dash-crumbs", **{"aria-label": "Drill-down"}
            ),
            html.Div(
                id="dashboard-status",
                role="status",
                className="dash-status",
                **{"aria-live": "polite"},
            ),
            # Written by assets/export_progress.js while an export is made (no callback owns it).
            html.Div(
                id="dash-export-status",
                role="status",
                className="dash-status",
                **{"aria-live": "polite"},
            ),
            html.Div(id="dashboard-empty"),
            grid([], []),
            editor(),
            schedule_modal(_schedule(int(dashboard_id)), tz),
        ],
        id="dashboard-root",
        className="dashboard-root",
    )


def view_label(view: dict) -> str:
    where = country_name(view["country"]) if view.get("country") else "All countries"
    return f"{ranges.label(view['range'])} · {where}"


def crumbs(view: dict) -> list:
    if not view.get("trail"):
        return []
    items = [
        dmc.Button(
            view_label(step),
            id={"type": "dash-crumb", "index": i},
            variant="subtle",
            size="compact-sm",
        )
        for i, step in enumerate(view["trail"])
    ]
    items.append(
        dmc.Text(
            view_label(view), size="sm", fw=600, id="dash-crumb-current", **{"aria-current": "page"}
        )
    )
    return [dmc.Breadcrumbs(items, separator="›")]


@callback(
    Output(GRID_ID, "children"),
    Output(GRID_ID, "layout"),
    Output("dashboard-crumbs", "children"),
    Output("dashboard-empty", "children"),
    Input("dashboard-version", "data"),
    Input("dashboard-view", "data"),
    Input("dash-timer", "n_intervals"),
    State("dashboard-id", "data"),
)
def render(_version, view, _tick, dashboard_id):
    try:
        with runtime().db.session() as s:
            definition = service.get(s, account_id(), dashboard_id).definition
            tz, today = local_clock(s, account_id())  # days and "today" in the account's zone
    except DashboardNotFound:  # deleted in another tab
        return (
            [],
            [],
            [],
            dmc.Text(
                ["This dashboard was deleted. ", dcc.Link("Back to dashboards", href="/dashboards")]
            ),
        )
    data = dashboard_data(
        analytics.counter_store(runtime()), account_id(), definition, view, today, tz
    )
    empty = (
        None
        if definition["cards"]
        else dmc.Paper(
            dmc.Text(
                "This dashboard has no cards yet. Press Add card, pick a metric and a chart; "
                "then drag cards by their title to arrange them."
            ),
            p="lg",
            withBorder=True,
        )
    )
    return (
        [card(data[c["id"]]) for c in definition["cards"]],
        layout_of(definition["cards"]),
        crumbs(view),
        empty,
    )


@callback(
    Output("dashboard-status", "children", allow_duplicate=True),
    Input(GRID_ID, "layout"),
    State("dashboard-id", "data"),
    prevent_initial_call=True,
)
def save_layout(layout, dashboard_id):
    with runtime().db.session() as s:
        moved = service.save_layout(s, account_id(), dashboard_id, positions(layout))
    return "Layout saved." if moved else no_update


def announce(text: str) -> html.Span:
    """Status text as a new node each time, so screen readers repeat even the same words."""
    return html.Span(text, key=str(time.monotonic_ns()))


@callback(
    Output(GRID_ID, "layout", allow_duplicate=True),
    Output("dashboard-status", "children", allow_duplicate=True),
    Input({"type": "dcard-step", "card": ALL, "op": ALL}, "n_clicks"),
    State("dashboard-id", "data"),
    prevent_initial_call=True,
)
def step_card(_clicks, dashboard_id):
    """A card's Move / Size menu item: one step, saved like a drag (service.save_layout), the
    new layout handed to the grid (the cards are not redrawn, so focus stays on the menu
    button) and announced in the status region."""
    if not ctx.triggered or not ctx.triggered[0]["value"]:
        return no_update, no_update
    cid, op = ctx.triggered_id["card"], ctx.triggered_id["op"]
    with runtime().db.session() as s:
        cards = service.get(s, account_id(), dashboard_id).definition["cards"]
        titles = {c["id"]: c["title"] for c in cards}
        try:
            after = grid_steps.step(cards, cid, op)
        except KeyError:  # removed in another tab
            return no_update, no_update
        except grid_steps.CannotMove as exc:
            return no_update, announce(f"{titles[cid]}: {exc}.")
        service.save_layout(s, account_id(), dashboard_id, after)
        saved = service.get(s, account_id(), dashboard_id).definition["cards"]
    return layout_of(saved), announce(grid_steps.describe(cards, after, cid, titles, op))


@callback(
    Output("dashboard-version", "data", allow_duplicate=True),
    Input({"type": "dcard-remove", "card": ALL}, "n_clicks"),
    State("dashboard-id", "data"),
    State("dashboard-version", "data"),
    prevent_initial_call=True,
)
def remove_card(_clicks, dashboard_id, version):
    if not ctx.triggered or not ctx.triggered[0]["value"]:
        return no_update
    with runtime().db.session() as s:
        service.remove_card(s, account_id(), dashboard_id, ctx.triggered_id["card"])
    return (version or 0) + 1


def _drilled(view: dict, **change) -> dict:
    step = {k: view[k] for k in ("range", "country")}
    return {**view, **change, "trail": [*view.get("trail", []), step]}


@callback(
    Output("dashboard-view", "data", allow_duplicate=True),
    Output("dashboard-status", "children", allow_duplicate=True),
    Input({"type": "dcard-graph", "card": ALL}, "clickData"),
    State("dashboard-view", "data"),
    State("dashboard-id", "data"),
    prevent_initial_call=True,
)
def drill(_clicks, view, dashboard_id):
    click = ctx.triggered[0]["value"] if ctx.triggered else None
    if not click or not click.get("points"):
        return no_update, no_update
    kind, value = (click["points"][0].get("customdata") or [None, None])[:2]
    if kind == "country" and value:
        return _drilled(view, country=value), f"Filtered to {country_name(value)}."
    if kind == "t":
        with runtime().db.session() as s:
            cards = service.get(s, account_id(), dashboard_id).definition["cards"]
        c = next(c for c in cards if c["id"] == ctx.triggered_id["card"])
        rng = bucket_range(date.fromisoformat(value), c["interval"])
        return _drilled(view, range=rng), f"Filtered to {ranges.label(rng)}."
    if kind and kind not in ("prev", "hour"):  # a bar of another dimension (e.g. a campaign)
        return no_update, (
            f"Counters keep {kind} and country apart, so the dashboard "
            f"cannot be filtered by {kind}."
        )
    return no_update, no_update


@callback(
    Output("dashboard-view", "data", allow_duplicate=True),
    Input({"type": "dash-crumb", "index": ALL}, "n_clicks"),
    State("dashboard-view", "data"),
    prevent_initial_call=True,
)
def back(_clicks, view):
    if not ctx.triggered or not ctx.triggered[0]["value"]:
        return no_update
    i = ctx.triggered_id["index"]
    step = view["trail"][i]
    return {**view, **step, "trail": view["trail"][:i]}


@callback(
    Output("dashboard-view", "data", allow_duplicate=True),
    Input("dash-range", "value"),
    Input("dash-custom-range", "value"),
    Input("dash-country", "value"),
    State("dashboard-id", "data"),
    prevent_initial_call=True,
)
def set_filters(preset, custom, country, dashboard_id):
    if preset == "custom":
        if not custom or len(custom) != 2 or not all(custom):
            return no_update
        rng = {"start": custom[0][:10], "end": custom[1][:10]}
    else:
        rng = preset
    # Not saved: the person's own view, in the link, until "Save as default".
    return {"range": rng, "country": country or None, "trail": []}


# The view goes into the address bar (replaced, not pushed: Back leaves the dashboard), so
# the page's link opens this view for whoever it is sent to.
clientside_callback(
    """function (view) {
        if (!view) { return window.dash_clientside.no_update; }
        const p = new URLSearchParams(), r = view.range;
        if (r && typeof r === "object") { p.set("start", r.start); p.set("end", r.end); }
        else if (r) { p.set("range", r); }
        p.set("country", view.country || "");
        const url = window.location.pathname + "?" + p.toString();
        if (url !== window.location.pathname + window.location.search) {
            window.history.replaceState(window.history.state, "", url);
        }
        return url;
    }""",
    Output("dash-url-sink", "data"),
    Input("dashboard-view", "data"),
)


@callback(
    Output("dash-view-actions", "style"),
    Input("dashboard-view", "data"),
    Input("dashboard-saved", "data"),
)
def show_view_actions(view, saved):
    return {"display": "flex" if views.differs(view or {}, saved or {}) else "none"}


@callback(
    Output("dashboard-saved", "data"),
    Output("dashboard-status", "children", allow_duplicate=True),
    Input("dash-save-default", "n_clicks"),
    State("dashboard-view", "data"),
    State("dashboard-id", "data"),
    prevent_initial_call=True,
)
def save_default(_n, view, dashboard_id):
    """The same service as PUT /api/dashboards/<id> with new filters."""
    with runtime().db.session() as s:
        d = service.set_filters(
            s, account_id(), dashboard_id, {"range": view["range"], "country": view.get("country")}
        )
        saved = d.definition["filters"]
    return saved, announce(f"Saved as the default for everyone: {view_label(saved)}.")


@callback(
    Output("dashboard-view", "data", allow_duplicate=True),
    Output("dash-range", "value"),
    Output("dash-custom-range", "value"),
    Output("dash-country", "value"),
    Input("dash-reset-view", "n_clicks"),
    State("dashboard-saved", "data"),
    prevent_initial_call=True,
)
def reset_view(_n, saved):
    preset = "custom" if isinstance(saved["range"], dict) else saved["range"]
    custom = [saved["range"]["start"], saved["range"]["end"]] if preset == "custom" else no_update
    return {**saved, "trail": []}, preset, custom, saved.get("country") or ""


@callback(
    Output({"type": "dash-export-link", "format": ALL}, "href"),
    Input("dashboard-view", "data"),
    State("dashboard-id", "data"),
    prevent_initial_call=True,
)
def export_links(view, dashboard_id):
    """Exports follow the page: its date range, country and drill-down."""
    return [export_href(dashboard_id, view or {}, fmt) for fmt, _, _ in EXPORT_FORMATS]


def _schedule(dashboard_id: int) -> dict | None:
    with runtime().db.session() as s:
        sc = schedules.get(s, account_id(), dashboard_id)
        return schedules.to_json(sc) if sc else None


@callback(
    Output("dash-schedule-modal", "opened"),
    Input("dash-schedule-open", "n_clicks"),
    prevent_initial_call=True,
)
def open_schedule(_n):
    return True


@callback(
    Output("dash-schedule-summary", "children"),
    Output("dash-schedule-stop", "disabled"),
    Input("dash-schedule-save", "n_clicks"),
    Input("dash-schedule-stop", "n_clicks"),
    State("dashboard-id", "data"),
    State("dash-schedule-frequency", "value"),
    State("dash-schedule-hour", "value"),
    State("dash-schedule-recipients", "value"),
    prevent_initial_call=True,
)
def save_schedule(_save, _stop, dashboard_id, frequency, hour, recipients):
    """The same service as PUT/DELETE /api/dashboards/<id>/schedule."""
    try:
        with runtime().db.session() as s:
            if ctx.triggered_id == "dash-schedule-stop":
                schedules.delete(s, account_id(), dashboard_id)
                return "E-mails stopped.", True
            sc = schedules.put(
                s,
                account_id(),
                dashboard_id,
                {"frequency": frequency, "hour": int(hour or 8), "recipients": recipients or []},
            )
            return schedule_summary(schedules.to_json(sc)), False
    except schedules.ScheduleInvalid as exc:
        return dmc.Alert(
            schedule_problem(str(exc), recipients or []),
            color="red",
            title="Not saved",
            id="dash-schedule-error",
        ), no_update
