"""Settings: the account's API keys (create, revoke) and the storefront snippet."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import ALL, Input, Output, State, callback, ctx, html, no_update
from flask import request

from backend.accounts import keys
from components.context import account_id, runtime
from components.keys_table import KIND_HELP, keys_table, new_key_notice, snippet_block

dash.register_page(__name__, path="/settings", name="Settings", title="Settings · Tally", icon="settings")


def _keys_and_snippet():
    with runtime().db.session() as s:
        infos = keys.list_keys(s, account_id())
        public = keys.public_key(s, account_id())
    return keys_table(infos), snippet_block(request.host_url.rstrip("/"), public)


def layout(**_):
    table, snippet = _keys_and_snippet()
    return dmc.Stack(
        [
            html.H1("Settings", className="page-title"),
            dmc.Paper(
                [
                    html.H2("API keys", className="section-title"),
                    dmc.Text(
                        "Write keys send events, public keys power storefront forms, private "
                        "keys read the API. Keys are stored hashed: a secret key is shown once.",
                        size="sm",
                        c="dimmed",
                        mb="sm",
                    ),
                    dmc.Group(
                        [
                            dmc.Select(
                                id="settings-key-kind",
                                label="Kind",
                                data=[{"value": k, "label": f"{k} — {h}"} for k, h in KIND_HELP.items()],
                                value="write",
                                allowDeselect=False,
                                w=380,
                            ),
                            dmc.TextInput(
                                id="settings-key-label", label="Label", placeholder="e.g. Shopify server", w=220
                            ),
                            dmc.Button("Create key", id="settings-create-key"),
                        ],
                        align="flex-end",
                        mb="md",
                    ),
                    html.Div(id="settings-notice", role="status", **{"aria-live": "polite"}),
                    html.Div(table, id="settings-keys-wrap"),
                ],
                p="lg",
                withBorder=True,
                radius="md",
            ),
            dmc.Paper(
                [html.H2("Storefront snippet", className="section-title"), html.Div(snippet, id="settings-snippet-wrap")],
                p="lg",
                withBorder=True,
                radius="md",
            ),
            dmc.Modal(
                id="settings-revoke-modal",
                title="Revoke this key?",
                children=[
                    dmc.Text(
                        "Anything using it stops working at once. This cannot be undone.",
                        size="sm",
                        mb="md",
                    ),
                    dmc.Group(
                        [
                            dmc.Button("Cancel", id="settings-revoke-cancel", variant="default"),
                            dmc.Button("Revoke key", id="settings-revoke-confirm", color="red"),
                        ],
                        justify="flex-end",
                    ),
                ],
            ),
            dash.dcc.Store(id="settings-revoke-target"),
        ],
        gap="lg",
        maw=1100,
    )


@callback(
    Output("settings-notice", "children"),
    Output("settings-keys-wrap", "children"),
    Output("settings-snippet-wrap", "children"),
    Input("settings-create-key", "n_clicks"),
    State("settings-key-kind", "value"),
    State("settings-key-label", "value"),
    prevent_initial_call=True,
)
def create_key(_n, kind, label):
    if kind not in keys.KINDS:
        return dmc.Alert("Choose the kind of key first.", color="red"), no_update, no_update
    with runtime().db.session() as s:
        raw = keys.create_key(s, account_id(), kind, (label or "").strip())
    table, snippet = _keys_and_snippet()
    return new_key_notice(kind, raw), table, snippet


@callback(
    Output("settings-revoke-modal", "opened"),
    Output("settings-revoke-target", "data"),
    Input({"type": "settings-revoke", "index": ALL}, "n_clicks"),
    Input("settings-revoke-cancel", "n_clicks"),
    prevent_initial_call=True,
)
def ask_revoke(clicks, _cancel):
    trigger = ctx.triggered_id
    if isinstance(trigger, dict) and any(clicks):
        return True, trigger["index"]
    return False, None


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
    except keys.UnknownKey:
        return no_update, no_update, False, dmc.Alert("That key no longer exists.", color="red")
    table, snippet = _keys_and_snippet()
    return table, snippet, False, dmc.Alert("Key revoked.", color="gray", id="settings-revoked-notice")
