"""The flows list: a row per flow with its status, trigger, numbers and actions (the rows
and their actions are components/item_list.py; this says what a flow's row shows)."""

from __future__ import annotations

import copy

import dash_mantine_components as dmc
from dash import html

from backend.flows import service
from backend.flows.starters import TEMPLATES
from components.flows.catalog import trigger_summary
from components.flows.editor_layout import STATUS_COLORS
from components.format import ago, when
from components.item_list import Column, ItemKind, register

KEYS = ("name", "trigger", "filters", "start", "nodes")


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


def _items(s, account: str) -> list[dict]:
    flows = [service.to_json(f) for f in service.list_flows(s, account)]
    for f in flows:
        f["entered"] = service.stats(s, account, f["id"])["entered"]
    return flows


def _duplicate(s, account: str, fid: int) -> str:
    """The copy starts as a draft (create never activates)."""
    src = service.to_json(service.get(s, account, fid))
    body = copy.deepcopy({k: src[k] for k in KEYS})
    body["name"] = f"{src['name']} (copy)"[:200]
    return service.create(s, account, {**body, "reentry": src["reentry"]}).name


def _describe_delete(s, account: str, fid: int) -> str:
    name = service.get(s, account, fid).name
    return f"Delete {name}? People waiting in it leave the flow. This cannot be undone."


def _status(f: dict) -> dmc.Badge:
    return dmc.Badge(f["status"], color=STATUS_COLORS.get(f["status"], "gray"), variant="light")


def _saved(f: dict) -> html.Span:
    return html.Span(f"v{f['version']} · {ago(f['updated_at'])}", title=when(f["updated_at"]))


FLOWS = ItemKind(
    key="flows",
    noun="flow",
    title="Flow",
    items=_items,
    link=lambda fid: f"/flows/{fid}",
    columns=(
        Column("Status", _status),
        Column("Trigger", lambda f: trigger_summary(f.get("trigger") or {})),
        Column("Steps", lambda f: f"{len(f.get('nodes') or [])}", "num"),
        Column("Entered", lambda f: f"{f['entered']:,}", "num"),
        Column("Saved", _saved, "muted fn-saved"),
    ),
    duplicate=_duplicate,
    delete=service.delete,
    describe_delete=_describe_delete,
    empty=empty_state,
    row_id="flow-row-{id}",
    row_class="fn-flow-row",
    name_class="flow-link",
    delete_title="Delete flow",
)
register(FLOWS)


def template_choices() -> list[dict]:
    return [{"value": "blank", "label": "Blank canvas: just a trigger"}] + [
        {"value": t.key, "label": f"{t.title}: {t.description}"} for t in TEMPLATES.values()
    ]
