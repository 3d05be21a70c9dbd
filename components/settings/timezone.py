"""Settings › Time zone: the account's zone, saved through timezones.set_timezone, with the
browser's own zone offered as a one-click choice. Typed text is searched by city (with
spaces), alias and name, and saved only when it means one zone."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update

from backend.accounts import timezones
from components.context import account_id, runtime


def section() -> dmc.Paper:
    with runtime().db.session() as s:
        current = timezones.get_timezone(s, account_id())
    return dmc.Paper(
        html.Section(
            [
                html.H2("Time zone", className="section-title", id="settings-tz-title"),
                dmc.Text(
                    "Dashboards, the card editor's preview and reports cut days (and "
                    "“today”) at midnight in this zone, and report e-mails go out at "
                    "their hour in it. Events are kept in UTC, so changing it re-draws "
                    "past days too.",
                    size="sm",
                    c="dimmed",
                    mb="md",
                ),
                dmc.Group(
                    [
                        # Free text with suggestions: a city with spaces ("New York"), an
                        # alias ("Bombay") or a zone name; Save resolves it or says why not.
                        dmc.Autocomplete(
                            id="settings-timezone",
                            label="Account time zone",
                            description="Type a city, e.g. New York or Paris, and pick it",
                            data=[timezones.label(n) for n in timezones.zone_names()],
                            value=current,
                            limit=50,
                            maxDropdownHeight=280,
                            w=340,
                        ),
                        dmc.Button("Save time zone", id="settings-timezone-save"),
                    ],
                    align="flex-end",
                ),
                dmc.Button(
                    id="settings-timezone-browser",
                    variant="subtle",
                    size="compact-sm",
                    mt=6,
                    style={"display": "none"},
                ),
                dcc.Store(id="settings-browser-zone"),
                html.Div(
                    id="settings-timezone-status",
                    role="status",
                    className="notice",
                    **{"aria-live": "polite"},
                ),
            ],
            **{"aria-labelledby": "settings-tz-title"},
        ),
        p="lg",
        withBorder=True,
        radius="md",
    )


@callback(
    Output("settings-timezone-status", "children"),
    Output("settings-timezone", "value"),
    Input("settings-timezone-save", "n_clicks"),
    State("settings-timezone", "value"),
    prevent_initial_call=True,
)
def save_timezone(_n, text):
    """What was typed, resolved to one zone (timezones.resolve: a name, a city, an alias) and
    saved through set_timezone; unmatched or ambiguous text changes nothing and says so,
    keeping the text in the box to correct."""
    try:
        with runtime().db.session() as s:
            saved = timezones.set_timezone(s, account_id(), timezones.resolve(text))
    except timezones.TimezoneInvalid as exc:
        with runtime().db.session() as s:
            current = timezones.get_timezone(s, account_id())
        alert = dmc.Alert(
            f"{exc} The account stays on {current}.",
            color="red",
            title="Time zone not changed",
            id="settings-timezone-error",
        )
        return alert, no_update
    notice = dmc.Alert(
        f"Saved. Dashboards, reports and report e-mails now use {saved}.",
        color="green",
        id="settings-timezone-saved",
    )
    return notice, saved


# The browser's own zone, offered as a one-click choice when it differs from the account's.
clientside_callback(
    """function (_id, current, zones) {
        let zone = null;
        try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) {}
        const known = (zones || []).some(z => z === zone || z.startsWith(zone + " · "));
        if (!zone || zone === current || !known) {
            return [null, "", {display: "none"}];
        }
        return [zone, "Use this browser's time zone: " + zone, {}];
    }""",
    Output("settings-browser-zone", "data"),
    Output("settings-timezone-browser", "children"),
    Output("settings-timezone-browser", "style"),
    Input("settings-timezone", "id"),
    State("settings-timezone", "value"),
    State("settings-timezone", "data"),
)

clientside_callback(
    """function (n, zone) {
        if (!n || !zone) { return window.dash_clientside.no_update; }
        return zone;
    }""",
    Output("settings-timezone", "value", allow_duplicate=True),
    Input("settings-timezone-browser", "n_clicks"),
    State("settings-browser-zone", "data"),
    prevent_initial_call=True,
)
