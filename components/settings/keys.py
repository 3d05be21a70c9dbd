"""Settings › API keys: the account's keys, a form to create one (shown once) and a confirmed
revoke."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from backend.accounts import keys
from components.context import account_id, runtime
from components.dialogs import close_button
from components.keys_table import KIND_HELP, describe_key, keys_table, new_key_notice


def _table():
    with runtime().db.session() as s:
        return keys_table(keys.list_keys(s, account_id()))


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


def _revoke_modal() -> list:
    modal = dmc.Modal(
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
    )
    return [modal, dcc.Store(id="settings-revoke-target")]


def section() -> dmc.Paper:
    return dmc.Paper(
        [
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
                    html.H3("New key", className="subsection-title", id="settings-new-key-title"),
                    _create_form(),
                    html.Div(
                        id="settings-notice",
                        role="status",
                        className="notice",
                        **{"aria-live": "polite"},
                    ),
                    html.H3("Keys of this account", className="subsection-title"),
                    html.Div(_table(), id="settings-keys-wrap"),
                ],
                **{"aria-labelledby": "settings-keys-title"},
            ),
            *_revoke_modal(),
        ],
        p="lg",
        withBorder=True,
        radius="md",
    )


@callback(
    Output("settings-notice", "children"),
    Output("settings-keys-wrap", "children"),
    Output("settings-key-label", "value"),
    Input("settings-create-key", "n_clicks"),
    State("settings-key-kind", "value"),
    State("settings-key-label", "value"),
    prevent_initial_call=True,
)
def create_key(_n, kind, label):
    if kind not in keys.KINDS:
        alert = dmc.Alert("Choose the kind of key first.", color="red", title="No key created")
        return alert, no_update, no_update
    try:
        with runtime().db.session() as s:
            raw = keys.create_key(s, account_id(), kind, label or "")
    except keys.InvalidLabel as exc:
        message = str(exc).replace("'label'", "The label")
        return dmc.Alert(message, color="red", title="No key created"), no_update, no_update
    return new_key_notice(kind, raw), _table(), ""


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
    Output("settings-revoke-modal", "opened", allow_duplicate=True),
    Output("settings-notice", "children", allow_duplicate=True),
    Input("settings-revoke-confirm", "n_clicks"),
    State("settings-revoke-target", "data"),
    prevent_initial_call=True,
)
def revoke(_n, key_id):
    if key_id is None:
        return no_update, False, no_update
    try:
        with runtime().db.session() as s:
            keys.revoke_key(s, account_id(), int(key_id))
            info = next(k for k in keys.list_keys(s, account_id()) if k.id == int(key_id))
    except keys.UnknownKey:
        return no_update, False, dmc.Alert("That key no longer exists.", color="red")
    notice = dmc.Alert(
        f"{describe_key(info)} is revoked.", color="gray", id="settings-revoked-notice"
    )
    return _table(), False, notice
