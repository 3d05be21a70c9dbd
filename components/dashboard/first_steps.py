"""First steps for an account without events: how to send the first one (curl and the
storefront snippet). Shown on Home and above an empty dashboard."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import dcc, html


def curl_line(host: str) -> str:
    return (
        f"curl -u YOUR_WRITE_KEY: -H 'Content-Type: application/json' {host}/v1/track \\\n"
        '  -d \'{"userId": "u1", "event": "Placed Order", '
        '"properties": {"revenue": 42}}\''
    )


def first_steps(host: str, prefix: str = "home") -> dmc.Stack:
    return dmc.Stack(
        [
            dmc.Paper(
                [
                    html.H2("1. Send your first event", className="section-title"),
                    dmc.Text(
                        "From your server, with a write key from Settings (any "
                        "Segment-compatible SDK works too: point it at this host).",
                        size="sm",
                        mb=6,
                    ),
                    dmc.Group(
                        [
                            html.Pre(
                                curl_line(host), id=f"{prefix}-curl", className="mono snippet"
                            ),
                            dcc.Clipboard(target_id=f"{prefix}-curl", title="Copy command"),
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
                    dmc.Text(
                        [
                            "Copy it from ",
                            dcc.Link("Settings", href="/settings"),
                            ": it shows your forms and records page views.",
                        ],
                        size="sm",
                    ),
                ],
                p="lg",
                withBorder=True,
                radius="md",
            ),
            dmc.Paper(
                [
                    html.H2("3. Watch your dashboards", className="section-title"),
                    dmc.Text(
                        [
                            "Events show up on ",
                            dcc.Link("your dashboards", href="/dashboards"),
                            " within seconds; turn on auto refresh to watch them arrive.",
                        ],
                        size="sm",
                    ),
                ],
                p="lg",
                withBorder=True,
                radius="md",
            ),
        ],
        gap="md",
    )
