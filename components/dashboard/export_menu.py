"""The dashboard's Export menu: PDF, PNG, CSV and offline HTML of what the page shows
(its date range and country, drill-downs included), downloaded from the console."""

from __future__ import annotations

from urllib.parse import urlencode

import dash_mantine_components as dmc

FORMATS = (
    ("pdf", "PDF report", "Every card as a vector chart, with the key numbers"),
    ("png", "PNG image", "The grid as laid out"),
    ("csv", "CSV data", "card, series, t, count, revenue"),
    ("html", "HTML (offline)", "Interactive charts in one file"),
)


def export_href(dashboard_id: int, view: dict, fmt: str) -> str:
    params: dict[str, str] = {"format": fmt}
    rng = view.get("range")
    if isinstance(rng, dict):
        params.update(start=rng["start"], end=rng["end"])
    elif rng:
        params["range"] = rng
    if view.get("country"):
        params["country"] = view["country"]
    return f"/dashboards/{dashboard_id}/export?{urlencode(params)}"


def export_menu(dashboard_id: int, view: dict) -> dmc.Menu:
    return dmc.Menu(
        [
            dmc.MenuTarget(dmc.Button("Export", variant="default", id="dash-export")),
            dmc.MenuDropdown(
                [dmc.MenuLabel("Download what this page shows")]
                + [
                    dmc.MenuItem(
                        [dmc.Text(label, size="sm"), dmc.Text(hint, size="xs", c="dimmed")],
                        href=export_href(dashboard_id, view, fmt),
                        refresh=True,
                        id={"type": "dash-export-link", "format": fmt},
                    )
                    for fmt, label, hint in FORMATS
                ]
                + [
                    dmc.MenuDivider(),
                    dmc.MenuItem("E-mail this dashboard…", id="dash-schedule-open"),
                ]
            ),
        ],
        position="bottom-end",
        id="dash-export-menu",
    )
