"""Settings: the account's time zone, its API keys (create, revoke) and the storefront
snippet."""

from __future__ import annotations

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

from backend.accounts import keys, timezones
from components.context import account_id, runtime
from components.dialogs import close_button
from components.keys_table import (
    KIND_HELP,
    describe_key,
    keys_table,
    new_key_notice,
    snippet_block,
)

dash.register_page(
    __name__, path="/settings", name="Settings", title="Settings · Tally", icon="settings"
)


def _keys_and_snippet():
    with runtime().db.session() as s:
        infos = keys.list_keys(s, account_id())
        public = keys.public_key(s, account_id())
    return keys_table(infos), snippet_block(request.host_url.rstrip("/"), public)


def _create_form() -> html.Div:
    kinds = dmc.RadioGroup(
        dmc.Group(
            [
                dmc.Radio(value=k, label=f"{k.capitalize()} key", description=h, maw=300)
                for k, h in KIND_HELP.items()
            ],
            align="flex-start",
            gap="lg",
            mt=6,
        ),
        id="settings-key-kind",
        label="Kind of key",
        value="write",
        mb="sm",
    )
    return html.Div(
        [
            kinds,
            dmc.Group(
                [
                    dmc.TextInput(
                        id="settings-key-label",
                        label="Label",
                        description="Optional: where the key is used, to tell keys apart.",
                        placeholder="e.g. Shopify server",
                        inputProps={"maxLength": keys.LABEL_MAX},
                        w=320,
                    ),
                    dmc.Button("Create key", id="settings-create-key"),
                ],
                align="flex-end",
            ),
        ],
        role="group",
        **{"aria-labelledby": "settings-new-key-title"},
    )


def _timezone_section() -> dmc.Paper:
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
                        dmc.Select(
                            id="settings-timezone",
                            label="Account time zone",
                            description="Type to search, e.g. New York or Paris",
                            data=list(timezones.zone_names()),
                            value=current,
                            searchable=True,
                            allowDeselect=False,
                            limit=50,
                            nothingFoundMessage="No zone matches: try a city such as "
                            "Chicago, or a region such as Europe",
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


def layout(**_):
    table, snippet = _keys_and_snippet()
    return dmc.Stack(
        [
            html.H1("Settings", className="page-title"),
            _timezone_section(),
            dmc.Paper(
                html.Section(
                    [
                        html.H2("API keys", className="section-title", id="settings-keys-title"),
                        dmc.Text(
                            "Keys are stored hashed: a write or private key is shown once, "
                            "when it is created. Revoke a key the moment it may have leaked.",
                            size="sm",
                            c="dimmed",
                            mb="md",
                        ),
                        html.H3(
                            "New key", className="subsection-title", id="settings-new-key-title"
                        ),
                        _create_form(),
                        html.Div(
                            id="settings-notice",
                            role="status",
                            className="notice",
                            **{"aria-live": "polite"},
                        ),
                        html.H3("Keys of this account", className="subsection-title"),
                        html.Div(table, id="settings-keys-wrap"),
                    ],
                    **{"aria-labelledby": "settings-keys-title"},
                ),
                p="lg",
                withBorder=True,
                radius="md",
            ),
            dmc.Paper(
                html.Section(
                    [
                        html.H2(
                            "Storefront snippet",
                            className="section-title",
                            id="settings-snippet-title",
                        ),
                        html.Div(snippet, id="settings-snippet-wrap"),
                    ],
                    **{"aria-labelledby": "settings-snippet-title"},
                ),
                p="lg",
                withBorder=True,
                radius="md",
            ),
            dmc.Modal(
                id="settings-revoke-modal",
                closeButtonProps=close_button(),
                title="Revoke this key?",
                children=[
                    dmc.Text(id="settings-revoke-what", size="sm", mb="xs", fw=500),
                    dmc.Text(
                        "Anything using it stops working at once. This cannot be undone.",
                        size="sm",
                        mb="md",
                    ),
                    dmc.Group(
                        [
                            # Focus starts on Cancel: Enter must not revoke by accident.
                            dmc.Button(
                                "Cancel",
                                id="settings-revoke-cancel",
                                variant="default",
                                **{"data-autofocus": True},
                            ),
                            dmc.Button("Revoke key", id="settings-revoke-confirm", color="red"),
                        ],
                        justify="flex-end",
                    ),
                ],
            ),
            dcc.Store(id="settings-revoke-target"),
        ],
        gap="lg",
        maw=1100,
    )


@callback(
    Output("settings-notice", "children"),
    Output("settings-keys-wrap", "children"),
    Output("settings-snippet-wrap", "children"),
    Output("settings-key-label", "value"),
    Input("settings-create-key", "n_clicks"),
    State("settings-key-kind", "value"),
    State("settings-key-label", "value"),
    prevent_initial_call=True,
)
def create_key(_n, kind, label):
    if kind not in keys.KINDS:
        alert = dmc.Alert("Choose the kind of key first.", color="red", title="No key created")
        return alert, no_update, no_update, no_update
    try:
        with runtime().db.session() as s:
            raw = keys.create_key(s, account_id(), kind, label or "")
    except keys.InvalidLabel as exc:
        message = str(exc).replace("'label'", "The label")
        return (
            dmc.Alert(message, color="red", title="No key created"),
            no_update,
            no_update,
            no_update,
        )
    table, snippet = _keys_and_snippet()
    return new_key_notice(kind, raw), table, snippet, ""


@callback(
    Output("settings-revoke-modal", "opened"),
    Output("settings-revoke-target", "data"),
    Output("settings-revoke-what", "children"),
    Input({"type": "settings-revoke", "index": ALL}, "n_clicks"),
    Input("settings-revoke-cancel", "n_clicks"),
    prevent_initial_call=True,
)
def ask_revoke(clicks, _cancel):
    trigger = ctx.triggered_id
    if not (isinstance(trigger, dict) and any(clicks)):
        return False, None, no_update
    with runtime().db.session() as s:
        info = next((k for k in keys.list_keys(s, account_id()) if k.id == trigger["index"]), None)
    if info is None:
        return False, None, no_update
    return True, info.id, describe_key(info)


@callback(
    Output("settings-keys-wrap", "children", allow_duplicate=True),
    Output("settings-snippet-wrap", "children", allow_duplicate=True),
    Output("settings-revoke-modal", "opened", allow_duplicate=True),
    Output("settings-notice", "children", allow_duplicate=True),
    Input("settings-revoke-confirm", "n_clicks"),
    State("settings-revoke-target", "data"),
    prevent_initial_call=True,
)
def revoke(_n, key_id):
    if key_id is None:
        return no_update, no_update, False, no_update
    try:
        with runtime().db.session() as s:
            keys.revoke_key(s, account_id(), int(key_id))
            info = next(k for k in keys.list_keys(s, account_id()) if k.id == int(key_id))
    except keys.UnknownKey:
        return no_update, no_update, False, dmc.Alert("That key no longer exists.", color="red")
    table, snippet = _keys_and_snippet()
    notice = dmc.Alert(
        f"{describe_key(info)} is revoked.", color="gray", id="settings-revoked-notice"
    )
    return table, snippet, False, notice


@callback(
    Output("settings-timezone-status", "children"),
    Output("settings-timezone", "value"),
    Input("settings-timezone-save", "n_clicks"),
    State("settings-timezone", "value"),
    prevent_initial_call=True,
)
def save_timezone(_n, name):
    """The same validation as any caller of timezones.set_timezone: unknown zones change
    nothing and say how to pick one."""
    try:
        with runtime().db.session() as s:
            saved = timezones.set_timezone(s, account_id(), name)
    except timezones.TimezoneInvalid as exc:
        with runtime().db.session() as s:
            current = timezones.get_timezone(s, account_id())
        alert = dmc.Alert(
            f"{exc} The account stays on {current}.",
            color="red",
            title="Time zone not changed",
            id="settings-timezone-error",
        )
        return alert, current
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
        if (!zone || zone === current || !(zones || []).includes(zone)) {
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
