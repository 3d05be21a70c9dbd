"""Settings › Privacy requests: the audit of profile exports and deletions (who, when, which
profile id; never the person's address), newest first. The API has it at GET /api/audit."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import html

from backend.privacy.audit import entries
from components.context import account_id, runtime
from components.format import when

SHOWN = 20
ACTIONS = {"export": "Exported data of", "delete": "Deleted"}


def _who(actor: dict) -> str:
    return actor["name"] if actor["kind"] == "user" else f"API key {actor['name']}"


def section() -> dmc.Paper:
    with runtime().db.session() as s:
        rows = entries(s, account_id(), SHOWN)
    if rows:
        body = dmc.Table(
            [
                html.Thead(html.Tr([html.Th("When"), html.Th("Request"), html.Th("Asked by")])),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Td(when(r["at"])),
                                html.Td(
                                    f"{ACTIONS.get(r['action'], r['action'])} profile "
                                    f"#{r['profile_id']}"
                                ),
                                html.Td(_who(r["actor"])),
                            ]
                        )
                        for r in rows
                    ]
                ),
            ],
            id="settings-privacy-audit",
            striped=True,
        )
    else:
        body = dmc.Text(
            "No privacy requests yet. A profile's page has “Export data” and “Delete” for "
            "when a person asks for their data or to be forgotten.",
            size="sm",
            c="dimmed",
            id="settings-privacy-empty",
        )
    return dmc.Paper(
        html.Section(
            [
                html.H2("Privacy requests", className="section-title", id="settings-privacy-title"),
                dmc.Text(
                    f"The last {SHOWN} exports and deletions of a person's data: who asked and "
                    "when. A deleted person's address is never shown here.",
                    size="sm",
                    c="dimmed",
                    mb="md",
                ),
                body,
            ],
            **{"aria-labelledby": "settings-privacy-title"},
        ),
        p="lg",
        withBorder=True,
        radius="md",
    )
