"""The forms list: status and the numbers from the counters, with per-row actions."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import dcc, html

TEMPLATE_LABELS = {
    "newsletter_popup": "Newsletter popup",
    "discount_flyout": "Discount flyout",
    "footer_embed": "Footer embed",
}


def template_buttons() -> dmc.Group:
    return dmc.Group(
        [
            dmc.Button(
                f"New {label.lower()}", id={"type": "forms-new", "template": name}, variant="light"
            )
            for name, label in TEMPLATE_LABELS.items()
        ],
        id="forms-templates",
    )


def _pct(conversion: float | None) -> str:
    return "—" if conversion is None else f"{conversion * 100:.1f} %"


def forms_table(forms: list[dict], numbers: dict[int, dict]) -> html.Div:
    if not forms:
        return dmc.Alert(
            "No forms yet: start from a template above.",
            title="No forms",
            color="gray",
            id="forms-empty",
        )
    rows = []
    for f in forms:
        n = numbers.get(f["id"], {"views": 0, "submits": 0, "conversion": None})
        live = f["status"] == "live"
        rows.append(
            html.Tr(
                [
                    html.Td(dcc.Link(f["name"], href=f"/forms/{f['id']}", className="form-link")),
                    html.Td(f["kind"]),
                    html.Td(
                        dmc.Badge(
                            "live" if live else "draft",
                            color="green" if live else "gray",
                            variant="light",
                        )
                    ),
                    html.Td(f"{n['views']:,}", className="form-views"),
                    html.Td(f"{n['submits']:,}", className="form-submits"),
                    html.Td(_pct(n["conversion"]), className="form-conversion"),
                    html.Td(
                        dmc.Group(
                            [
                                dmc.Button(
                                    "Duplicate",
                                    size="xs",
                                    variant="subtle",
                                    id={"type": "forms-duplicate", "index": f["id"]},
                                    **{"aria-label": f"Duplicate {f['name']}"},
                                ),
                                dmc.Button(
                                    "Delete",
                                    size="xs",
                                    variant="subtle",
                                    color="red",
                                    id={"type": "forms-delete", "index": f["id"]},
                                    **{"aria-label": f"Delete {f['name']}"},
                                ),
                            ],
                            gap="xs",
                        )
                    ),
                ],
                id=f"form-row-{f['id']}",
                className="form-row",
            )
        )
    head = html.Thead(
        html.Tr(
            [
                html.Th(h, scope="col")
                for h in ("Name", "Kind", "Status", "Views", "Submits", "Conversion")
            ]
            + [html.Th(html.Span("Actions", className="visually-hidden"), scope="col")]
        )
    )
    return dmc.Table(
        [head, html.Tbody(rows)], striped=True, highlightOnHover=True, id="forms-table"
    )
