"""The API keys table and the new-key notice (pure data -> components)."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import html

from backend.accounts.keys import KeyInfo

KIND_HELP = {
    "write": "Server-side event ingestion (/v1). Keep it secret.",
    "public": "Safe in storefront pages: embed.js and form submits.",
    "private": "The read/admin API (/api). Keep it secret.",
}
KIND_COLOR = {"write": "orange", "public": "teal", "private": "grape"}


def _when(dt) -> str:
    return dt.strftime("%d %b %Y, %H:%M UTC") if dt else ""


def copy_button(text: str, id_: str, label: str) -> dmc.CopyButton:
    """A real button (focusable, announced), unlike dcc.Clipboard's bare icon."""
    return dmc.CopyButton(
        label, value=text, copiedChildren="Copied", id=id_, size="xs", variant="light"
    )


def describe_key(k: KeyInfo) -> str:
    """How a person names a key: kind, label and its visible start."""
    label = f" “{k.label}”" if k.label else ""
    return f"The {k.kind} key{label} ({k.masked if k.kind == 'public' else k.masked[:8] + '…'})"


def keys_table(keys: list[KeyInfo]) -> dmc.Table | dmc.Alert:
    if not keys:
        return dmc.Alert(
            "This account has no keys. Create a write key to send events, a public key for "
            "storefront forms, and a private key for the API.",
            title="No keys yet",
            color="gray",
            id="settings-keys-empty",
        )
    rows = []
    for k in keys:
        status = (
            dmc.Badge("active", color="green", variant="light")
            if k.active
            else dmc.Badge("revoked", color="gray", variant="light")
        )
        action = (
            dmc.Button(
                "Revoke",
                id={"type": "settings-revoke", "index": k.id},
                color="red",
                variant="subtle",
                size="xs",
                **{"aria-label": f"Revoke {describe_key(k)[4:]}"},
            )
            if k.active
            else html.Span(f"revoked {_when(k.revoked_at)}", className="muted")
        )
        rows.append(
            html.Tr(
                [
                    html.Td(dmc.Badge(k.kind, color=KIND_COLOR.get(k.kind, "gray"))),
                    html.Td(k.label or "—"),
                    html.Td(html.Code(k.masked, className="mono")),
                    html.Td(_when(k.created_at)),
                    html.Td(status),
                    html.Td(action),
                ],
                className="key-row" + ("" if k.active else " key-revoked"),
                id=f"key-row-{k.id}",
            )
        )
    head = html.Thead(
        html.Tr(
            [html.Th(h, scope="col") for h in ("Kind", "Label", "Key", "Created", "Status")]
            + [html.Th(html.Span("Actions", className="visually-hidden"), scope="col")]
        )
    )
    live = sum(k.active for k in keys)
    caption = html.Caption(
        f"{len(keys)} keys, {live} active", className="visually-hidden", id="settings-keys-caption"
    )
    return dmc.Table(
        [caption, head, html.Tbody(rows)],
        striped=True,
        highlightOnHover=True,
        id="settings-keys",
        className="keys-table",
    )


def new_key_notice(kind: str, raw: str) -> dmc.Alert:
    return dmc.Alert(
        [
            dmc.Text(
                "Copy it now: for your security, secret keys are never shown again."
                if kind != "public"
                else "Public keys can always be seen here.",
                size="sm",
                mb=8,
            ),
            dmc.Group(
                [
                    html.Code(raw, id="settings-new-key-text", className="mono"),
                    copy_button(raw, "settings-copy-key", "Copy key"),
                ],
                gap="xs",
            ),
        ],
        title=f"New {kind} key created",
        color="green",
        id="settings-new-key",
        withCloseButton=True,
        closeButtonLabel="Dismiss",
    )


def snippet_block(host: str, public_key: str | None) -> html.Div:
    if not public_key:
        return dmc.Alert(
            "Create a public key above; the storefront snippet uses it.",
            title="No public key",
            color="yellow",
            id="settings-snippet",
        )
    snippet = f'<script async src="{host}/embed.js?key={public_key}"></script>'
    return html.Div(
        [
            dmc.Text(
                "Paste this before </body> on every page of your store. Published forms then "
                "appear where their targeting matches.",
                size="sm",
                mb=6,
            ),
            dmc.Group(
                [
                    html.Pre(snippet, id="settings-snippet-text", className="mono snippet"),
                    copy_button(snippet, "settings-copy-snippet", "Copy snippet"),
                ],
                gap="xs",
                align="flex-start",
            ),
        ],
        id="settings-snippet",
    )
