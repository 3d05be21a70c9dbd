"""The dashboard-wide controls: date range (preset or custom), country filter, auto refresh
(off, 10 s, 30 s, 1 min) and full screen for a wall display; beside the range, the account's
time zone its days are cut in, linking to Settings where it is changed. Filters tried here
are the person's (kept in the page's link) until "Save as default"."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import Input, Output, clientside_callback, dcc, html

from backend.dashboards.countries import names
from backend.dashboards.ranges import PRESETS
from components.dashboard.glyphs import icon

REFRESH = {"off": 0, "10s": 10_000, "30s": 30_000, "1m": 60_000}
RANGE_CHOICES = [{"value": k, "label": v} for k, v in PRESETS.items()] + [
    {"value": "custom", "label": "Custom…"}
]


def country_choices() -> list[dict]:
    return [{"value": "", "label": "All countries"}] + [
        {"value": code, "label": f"{label} ({code})"}
        for code, label in sorted(names().items(), key=lambda kv: kv[1])
    ]


def range_value(rng: str | dict) -> tuple[str, list[str] | None]:
    if isinstance(rng, dict):
        return "custom", [rng["start"], rng["end"]]
    return rng, None


def timezone_note(tz: str) -> dcc.Link:
    """ "Times in Europe/Paris": small muted text; a link to Settings, where the zone is set
    (screen readers hear where it leads)."""
    return dcc.Link(
        [
            f"Times in {tz}",
            html.Span(". Change the time zone in Settings", className="visually-hidden"),
        ],
        href="/settings",
        id="dash-timezone",
        className="dash-timezone",
        title="Change the account's time zone in Settings",
        style={"fontSize": "12px", "color": "#5c636a", "paddingBottom": "9px"},
    )


def view_actions() -> html.Div:
    """Shown while the filters differ from the dashboard's default: they are this person's
    (and their link's) until "Save as default" makes them everyone's."""
    return html.Div(
        [
            dmc.Text(
                "Only you see these filters (and anyone you send this page's link).",
                size="xs",
                c="dimmed",
                id="dash-view-hint",
            ),
            dmc.Group(
                [
                    dmc.Button(
                        "Save as default",
                        id="dash-save-default",
                        size="xs",
                        variant="light",
                        **{"aria-describedby": "dash-view-hint"},
                    ),
                    dmc.Button("Reset", id="dash-reset-view", size="xs", variant="subtle"),
                ],
                gap=4,
            ),
        ],
        id="dash-view-actions",
        className="dash-view-actions",
        style={"display": "none"},
    )


def toolbar(filters: dict, tz: str = "UTC") -> html.Div:
    preset, custom = range_value(filters["range"])
    return html.Div(
        [
            dmc.Select(
                id="dash-range",
                label="Date range",
                data=RANGE_CHOICES,
                value=preset,
                allowDeselect=False,
                w=170,
            ),
            dmc.DatePickerInput(
                id="dash-custom-range",
                label="From – to",
                type="range",
                value=custom or [None, None],
                w=230,
                style={"display": "block" if custom else "none"},
                allowSingleDateInRange=True,
                clearable=False,
            ),
            timezone_note(tz),
            dmc.Select(
                id="dash-country",
                label="Country",
                data=country_choices(),
                value=filters.get("country") or "",
                searchable=True,
                allowDeselect=False,
                w=210,
            ),
            html.Div(
                [
                    dmc.Text("Auto refresh", size="sm", fw=500, id="dash-refresh-label"),
                    dmc.SegmentedControl(
                        id="dash-refresh",
                        value="off",
                        size="xs",
                        data=[
                            {"value": "off", "label": "Off"},
                            {"value": "10s", "label": "10 s"},
                            {"value": "30s", "label": "30 s"},
                            {"value": "1m", "label": "1 min"},
                        ],
                        **{"aria-labelledby": "dash-refresh-label"},
                    ),
                ],
                className="dash-refresh-group",
            ),
            view_actions(),
            dmc.Button(
                "Full screen",
                id="dash-fullscreen",
                variant="default",
                leftSection=icon("expand", 16),
                **{"aria-label": "Show full screen"},
            ),
            dcc.Interval(id="dash-timer", interval=10_000, disabled=True),
            dcc.Store(id="dash-fullscreen-sink"),
        ],
        className="dash-toolbar",
        role="toolbar",
        **{"aria-label": "Dashboard filters"},
    )


clientside_callback(
    """function (value) {
        const ms = {"off": 0, "10s": 10000, "30s": 30000, "1m": 60000}[value] || 0;
        return [ms || 10000, !ms];
    }""",
    Output("dash-timer", "interval"),
    Output("dash-timer", "disabled"),
    Input("dash-refresh", "value"),
)

clientside_callback(
    """function (preset) {
        return {display: preset === "custom" ? "block" : "none"};
    }""",
    Output("dash-custom-range", "style"),
    Input("dash-range", "value"),
    prevent_initial_call=True,
)

# Full screen over the dashboard only (a wall screen); Esc leaves it.
clientside_callback(
    """function (n) {
        const root = document.getElementById("dashboard-root");
        if (n && root && root.requestFullscreen && !document.fullscreenElement) {
            root.requestFullscreen().catch(() => {});
        }
        return window.dash_clientside.no_update;
    }""",
    Output("dash-fullscreen-sink", "data"),
    Input("dash-fullscreen", "n_clicks"),
    prevent_initial_call=True,
)
