"""Settings › Storefront snippet: the embed.js tag with the account's newest live public key.
It re-draws whenever the keys table does, since creating or revoking a public key changes it."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import Input, Output, callback, html
from flask import request

from backend.accounts import keys
from components.context import account_id, runtime
from components.keys_table import snippet_block


def _snippet():
    with runtime().db.session() as s:
        public = keys.public_key(s, account_id())
    return snippet_block(request.host_url.rstrip("/"), public)


def section() -> dmc.Paper:
    return dmc.Paper(
        html.Section(
            [
                html.H2(
                    "Storefront snippet", className="section-title", id="settings-snippet-title"
                ),
                html.Div(_snippet(), id="settings-snippet-wrap"),
            ],
            **{"aria-labelledby": "settings-snippet-title"},
        ),
        p="lg",
        withBorder=True,
        radius="md",
    )


@callback(
    Output("settings-snippet-wrap", "children"),
    Input("settings-keys-wrap", "children"),
    prevent_initial_call=True,
)
def refresh(_keys):
    return _snippet()
