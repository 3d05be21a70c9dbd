"""The flows list: a row per flow with its status, trigger, numbers and actions."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import html

from backend.flows.starters import TEMPLATES
from components.flows.catalog import trigger_summary
from components.flows.editor_layout import STATUS_COLORS
from components.format import ago, when


def empty_state() -> dmc.Paper:
    return dmc.Paper(
        [
            html.H2("No flows yet", className="section-title"),
            html.P(
                "A flow sends people through steps — e-mails, waits, splits — when they "
                "do something (place an order, join a list). Start with a template or a "
                "blank canvas with the New flow button above.",
                className="muted",
            ),
        ],
        withBorder=True,
        p="lg",
        radius="md",
        id="flows-empty",
        maw=640,
    )


def flows_table(flows: list[dict], entered: dict[int, int]) -> html.Div:
    if not flows:
        return empty_state()
    rows = [
        html.Tr(
            [
                html.Td(dmc.Anchor(f["name"], href=f"/flows/{f['id']}", className="flow-link")),
                html.Td(
                    dmc.Badge(
                        f["status"], color=STATUS_COLORS.get(f["status"], "gray"), variant="light"
                    )
                ),
                html.Td(trigger_summary(f.get("trigger") or {})),
                html.Td(f"{len(f.get('nodes') or [])}", className="num"),
                html.Td(f"{entered.get(f['id'], 0):,}", className="num"),
                html.Td(
                    html.Span(
                        f"v{f['version']} · {ago(f['updated_at'])}", title=when(f["updated_at"])
                    ),
                    className="muted fn-saved",
                ),
                html.Td(
                    dmc.Group(
                        [
                            dmc.Button(
                                "Duplicate",
                                id={"type": "flows-duplicate", "id": f["id"]},
                                size="xs",
                                variant="subtle",
                                **{"aria-label": f"Duplicate {f['name']}"},
                            ),
                            dmc.Button(
                                "Delete",
                                id={"type": "flows-delete", "id": f["id"]},
                                size="xs",
                                variant="subtle",
                                color="red",
                                **{"aria-label": f"Delete {f['name']}"},
                            ),
                        ],
                        gap=4,
                    )
                ),
            ],
            id=f"flow-row-{f['id']}",
            className="fn-flow-row",
        )
        for f in flows
    ]
    head = html.Thead(
        html.Tr(
            [
                html.Th(h, scope="col")
                for h in ("Flow", "Status", "Trigger", "Steps", "Entered", "Saved")
            ]
            + [html.Th(html.Span("Actions", className="visually-hidden"), scope="col")]
        )
    )
    return dmc.Table(
        [head, html.Tbody(rows)], id="flows-table", highlightOnHover=True, striped=True
    )


def template_choices() -> list[dict]:
    return [{"value": "blank", "label": "Blank canvas: just a trigger"}] + [
        {"value": t.key, "label": f"{t.title}: {t.description}"} for t in TEMPLATES.values()
    ]
