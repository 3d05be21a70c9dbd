"""Home: where a new account starts. Shows how to send the first event."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import dcc, html
from flask import request

dash.register_page(__name__, path="/", name="Home", title="Tally", nav=False)


def layout(**_):
    host = request.host_url.rstrip("/")
    curl = (
        f"curl -u YOUR_WRITE_KEY: -H 'Content-Type: application/json' {host}/v1/track \\\n"
        "  -d '{\"userId\": \"u1\", \"event\": \"Placed Order\", \"properties\": {\"revenue\": 42}}'"
    )
    return dmc.Stack(
        [
            html.H1("Welcome to Tally", className="page-title"),
            dmc.Text("Three steps from an empty account to live numbers.", c="dimmed"),
            dmc.Paper(
                [
                    html.H2("1. Send your first event", className="section-title"),
                    dmc.Text(
                        "From your server, with a write key from Settings (any Segment-compatible "
                        "SDK works too: point it at this host).",
                        size="sm",
                        mb=6,
                    ),
                    dmc.Group(
                        [
                            html.Pre(curl, id="home-curl", className="mono snippet"),
                            dcc.Clipboard(target_id="home-curl", title="Copy command"),
                        ],
                        align="flex-start",
                        gap="xs",
                    ),
                ],
                p="lg",
                withBorder=True,
                radius="md",
            ),
            dmc.Paper(
                [
                    html.H2("2. Add the storefront snippet", className="section-title"),
                    dmc.Text(["Copy it from ", dcc.Link("Settings", href="/settings"), "."], size="sm"),
                ],
                p="lg",
                withBorder=True,
                radius="md",
            ),
        ],
        gap="lg",
        maw=1000,
    )
