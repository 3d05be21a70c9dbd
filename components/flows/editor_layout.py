"""The flow editor's layout: toolbar, palette, canvas and side panel, with its stores."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import dcc, html

from components.flows.autosave import note, stores
from components.flows.canvas import problems_by_node, to_canvas
from components.flows.canvas_callbacks import canvas
from components.flows.palette import palette
from components.flows.panel_callbacks import side_panel
from components.format import when

STATS_EVERY_MS = 30_000  # live numbers on the nodes refresh this often
STATUS_COLORS = {"draft": "gray", "live": "green", "paused": "yellow"}


def status_badge(status: str) -> dmc.Badge:
    return dmc.Badge(
        status,
        color=STATUS_COLORS.get(status, "gray"),
        id="flow-status",
        variant="light",
        size="lg",
    )


def version_options(versions: list[dict]) -> list[dict]:
    return [
        {
            "value": str(v["version"]),
            "label": f"v{v['version']} · {when(v['created_at'])} · {v['nodes']} steps",
        }
        for v in versions
    ]


def definition(flow: dict) -> dict:
    """The docs/api.md definition out of a flow as service.to_json returns it."""
    return {k: flow.get(k) for k in ("name", "trigger", "filters", "start", "nodes")}


def _button(label: str, bid: str, **kw) -> dmc.Button:
    return dmc.Button(label, id=bid, size="xs", variant=kw.pop("variant", "default"), **kw)


def editor(
    flow: dict, versions: list[dict], stats: dict | None, metrics: list[str], lists: list[str]
) -> dmc.Stack:
    nodes, edges = to_canvas(flow, problems_by_node(flow), stats)
    live = flow["status"] in ("live", "paused")
    return dmc.Stack(
        [
            # The name is an input, so the page's heading is for screen readers only.
            html.H1(f"Flow: {flow['name']}", className="visually-hidden", id="flow-heading"),
            dmc.Group(
                [
                    dmc.Anchor("← All flows", href="/flows", id="flow-back", size="sm"),
                    dmc.TextInput(
                        id="flow-name",
                        value=flow["name"],
                        w=280,
                        size="sm",
                        **{"aria-label": "Flow name"},
                    ),
                    status_badge(flow["status"]),
                    dmc.Text(f"v{flow['version']}", id="flow-version", size="sm", c="dimmed"),
                    _button("Save", "flow-save", variant="filled"),
                    _button(  # a live flow is already active: Save updates it
                        "Activate",
                        "flow-activate",
                        color="green",
                        variant="light",
                        disabled=flow["status"] == "live",
                    ),
                    _button(
                        "Pause",
                        "flow-pause",
                        color="yellow",
                        variant="light",
                        disabled=flow["status"] != "live",
                    ),
                    dmc.Select(
                        id="flow-versions",
                        data=version_options(versions),
                        w=260,
                        size="xs",
                        placeholder="Versions",
                        **{"aria-label": "Versions"},
                    ),
                    _button("Restore", "flow-restore"),
                ],
                gap="xs",
            ),
            dmc.Group(
                [
                    _button("Auto-layout", "flow-layout"),
                    _button("Undo", "flow-undo"),
                    _button("Redo", "flow-redo"),
                    _button("Fit", "flow-fit"),
                    _button("Delete selected", "flow-delete-selected", color="red"),
                    html.Span(
                        "Drag from a step's bottom dot to another step's top dot to connect.",
                        className="muted",
                    ),
                ],
                gap="xs",
            ),
            html.Div(
                id="flow-message", role="status", className="notice", **{"aria-live": "polite"}
            ),
            note(),
            html.Div(  # shown on phones only (assets/phone.css), where the canvas is read-only
                "This is a read-only view: editing a flow needs a wider screen. Open it on a "
                "computer or tablet to change it.",
                className="fn-phone-note notice",
                role="note",
            ),
            html.Div(
                [
                    palette(),
                    canvas(nodes, edges),
                    side_panel(),
                ],
                className="fn-editor",
            ),
            html.Div(id="flow-problems", role="region", **{"aria-label": "Problems"}),
            dcc.Store(id="flow-id", data=flow["id"]),
            dcc.Store(id="flow-draft", data=definition(flow)),
            dcc.Store(id="flow-saved", data=definition(flow)),
            dcc.Store(id="flow-history"),
            dcc.Store(id="flow-stats", data=stats if live else None),
            dcc.Interval(id="flow-stats-tick", interval=STATS_EVERY_MS),
            dcc.Store(id="flow-options", data={"metrics": metrics, "lists": lists}),
            *stores(),
        ],
        gap="xs",
    )
