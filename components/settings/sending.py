"""Settings › Sending: the DNS records that make mailbox providers trust the account's
marketing e-mail (DKIM key, SPF, the bounce MX, DMARC), each with a copy button."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import html

from backend.email.dns import records
from components.context import runtime
from components.keys_table import copy_button


def _row(i: int, r: dict) -> html.Tr:
    return html.Tr(
        [
            html.Td(html.Code(r["name"]), style={"wordBreak": "break-all"}),
            html.Td(r["type"]),
            html.Td(
                [
                    html.Code(
                        r["value"], id=f"sending-record-{i}", style={"wordBreak": "break-all"}
                    ),
                    html.Div(
                        r["why"], className="hint", style={"fontSize": 13, "color": "#5c5f66"}
                    ),
                ]
            ),
            html.Td(
                copy_button(r["value"], f"sending-copy-{i}", "Copy")
                if r["ready"]
                else dmc.Badge("to set up", color="gray", variant="light")
            ),
        ]
    )


def section() -> dmc.Paper:
    settings = runtime().settings
    rows = records(settings)
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in ("Name", "Type", "Value", "Copy")]))
    return dmc.Paper(
        html.Section(
            [
                html.H2("Sending", className="section-title", id="settings-sending-title"),
                dmc.Text(
                    [
                        "Publish these records at your DNS provider so Gmail, Yahoo and "
                        "others accept the account's marketing e-mail. Links in e-mails "
                        "start with ",
                        html.Code(settings.public_url),
                        " (TALLY_PUBLIC_URL).",
                    ],
                    size="sm",
                    c="dimmed",
                    mb="md",
                ),
                dmc.Table(
                    [head, html.Tbody([_row(i, r) for i, r in enumerate(rows)])],
                    id="settings-sending-records",
                ),
            ],
            **{"aria-labelledby": "settings-sending-title"},
        ),
        p="lg",
        withBorder=True,
        radius="md",
    )
