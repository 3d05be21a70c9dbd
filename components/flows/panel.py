"""The side panel: edits the selected step (or the trigger and flow filters).

Inputs carry pattern ids {"type": "flow-field", "field": NAME}; which node they edit is in
the "flow-panel-node" store rendered with them.
"""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import dcc, html

from backend.flows.layout import BRANCHES, TRIGGER
from components.flows.catalog import UNITS, kind_of, split_minutes
from components.flows.conditions import builder
from components.flows.preview import PLACEHOLDERS, preview


def _f(field: str) -> dict:
    return {"type": "flow-field", "field": field}


def _frame(node_id: str | None, title: str, body: list, deletable: bool = False) -> list:
    actions = []
    if deletable:
        actions.append(
            dmc.Button(
                "Delete step", id="flow-delete-step", color="red", variant="light", size="xs"
            )
        )
    return [
        dcc.Store(id="flow-panel-node", data=node_id),
        html.H2(title, className="section-title", id="flow-panel-title"),
        *body,
        dmc.Group(actions, mt="md"),
    ]


LINK_LABELS = {
    "next": "Then go to",
    "yes": "Yes goes to",
    "no": "No goes to",
    "a": "A goes to",
    "b": "B goes to",
}


def links(node_id: str, branches: tuple[str, ...], draft: dict, edges: list[dict]) -> html.Div:
    """Connections as selects: the keyboard way to wire what the canvas wires by dragging."""
    current = {
        e.get("sourceHandle") or "next": e["target"] for e in edges if e.get("source") == node_id
    }
    choices = [
        {"value": n["id"], "label": f"{kind_of(n).label} ({n['id']})"}
        for n in draft.get("nodes") or []
        if n["id"] != node_id
    ]
    label = {"next": "First step"} if node_id == TRIGGER else LINK_LABELS
    return html.Div(
        [
            dmc.Select(
                id={"type": "flow-link", "branch": b},
                label=label[b],
                data=choices,
                value=current.get(b),
                clearable=True,
                placeholder="End of the path",
                size="sm",
            )
            for b in branches
        ],
        className="fn-links",
    )


def empty() -> list:
    return _frame(
        None,
        "Nothing selected",
        [
            html.P(
                "Select a step on the canvas to edit it, or the trigger to choose who "
                "enters the flow. Add steps from the palette on the left.",
                className="muted",
            ),
        ],
    )


def _trigger_chooser(kind: str, trig: dict, metrics, lists, segments: list[dict]):
    if kind == "segment":
        sid = trig.get("segment")
        data = list(segments)
        if sid and str(sid) not in {d["value"] for d in data}:
            data.append({"value": str(sid), "label": f"Segment {sid} (deleted?)"})
        return dmc.Select(
            id=_f("segment"),
            label="Segment whose new members start the flow",
            searchable=True,
            data=data,
            value=str(sid) if sid else None,
            placeholder="Pick a segment" if data else "No segments yet: create one first",
        )
    if kind == "list":
        return dmc.Autocomplete(
            id=_f("list"),
            label="List that starts the flow",
            data=lists,
            value=trig.get("list") or "",
            debounce=300,
        )
    return dmc.Select(
        id=_f("metric"),
        label="Metric that starts the flow",
        searchable=True,
        data=sorted(set(metrics) | ({trig["metric"]} if trig.get("metric") else set())),
        value=trig.get("metric"),
        allowDeselect=False,
    )


def trigger_panel(
    draft: dict,
    metrics: list[str],
    lists: list[str],
    edges: list[dict],
    segments: list[dict] | None = None,
) -> list:
    trig = draft.get("trigger") or {}
    kind = trig.get("type", "metric")
    chooser = _trigger_chooser(kind, trig, metrics, lists, segments or [])
    body = [
        dmc.RadioGroup(
            dmc.Group(
                [
                    dmc.Radio("Someone does a metric", value="metric"),
                    dmc.Radio("Someone joins a list", value="list"),
                    dmc.Radio("Someone joins a segment", value="segment"),
                ]
            ),
            id=_f("trigger_type"),
            label="Trigger",
            value=kind,
        ),
        chooser,
        links(TRIGGER, ("next",), draft, edges),
    ]
    if kind == "metric":
        body.append(
            builder(
                "trigger", "Only events where", trig.get("where") or [], metrics, event_only=True
            )
        )
    body.append(
        builder(
            "filters",
            "Flow filters (checked at every step)",
            draft.get("filters") or [],
            metrics,
            segments=segments,
        )
    )
    return _frame(TRIGGER, "Trigger", body)


def node_panel(
    node: dict,
    draft: dict,
    metrics: list[str],
    lists: list[str],
    edges: list[dict],
    segments: list[dict] | None = None,
) -> list:
    kind = kind_of(node)
    t = node["type"]
    body: list = []
    if t == "delay":
        amount, unit = split_minutes(node.get("minutes"))
        body = [
            dmc.Group(
                [
                    dmc.NumberInput(id=_f("amount"), label="Wait", value=amount, min=1, w=110),
                    dmc.Select(
                        id=_f("unit"),
                        label="Unit",
                        data=list(UNITS),
                        value=unit,
                        w=120,
                        allowDeselect=False,
                    ),
                ]
            )
        ]
    elif t == "split":
        body = [
            builder(
                "node",
                "Go down Yes when all of these hold",
                node.get("where") or [],
                metrics,
                event_only=kind.key == "trigger_split",
                segments=segments,
            )
        ]
    elif t == "ab_split":
        body = [
            dmc.NumberInput(
                id=_f("percent"),
                label="Share going down A (%)",
                value=node.get("percent"),
                min=1,
                max=99,
                w=200,
            )
        ]
    elif t == "email":
        body = [
            dmc.TextInput(
                id=_f("subject"), label="Subject", value=node.get("subject") or "", debounce=300
            ),
            dmc.Textarea(
                id=_f("body"),
                label="Body",
                value=node.get("body") or "",
                autosize=True,
                minRows=5,
                debounce=300,
            ),
            html.P(f"Placeholders: {PLACEHOLDERS}", className="muted"),
            preview(node.get("subject") or "", node.get("body") or ""),
        ]
    elif t == "webhook":
        body = [
            dmc.TextInput(
                id=_f("url"),
                label="URL (POSTed the profile and event)",
                value=node.get("url") or "",
                placeholder="https://",
                debounce=300,
            )
        ]
    elif t == "update_profile":
        lines = "\n".join(f"{k} = {v}" for k, v in (node.get("traits") or {}).items())
        body = [
            dmc.Textarea(
                id=_f("traits"),
                label="Traits to set, one 'name = value' a line",
                value=lines,
                autosize=True,
                minRows=3,
                debounce=300,
            )
        ]
    elif t == "add_to_list":
        body = [
            dmc.Autocomplete(
                id=_f("list"), label="List", data=lists, value=node.get("list") or "", debounce=300
            )
        ]
    body.append(links(node["id"], BRANCHES[t], draft, edges))
    # the kind, not the id: an id made from first settings ("wait_4_hours") outlives edits
    return _frame(node["id"], kind.label, body, deletable=True)


def parse_traits(text: str) -> dict:
    out = {}
    for line in (text or "").splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip():
            out[key.strip()] = value.strip()
    return out


def apply_fields(draft: dict, node_id: str, values: dict) -> dict:
    """The draft with the panel's field values written into the node (or the trigger)."""
    if node_id == TRIGGER:
        trig = dict(draft.get("trigger") or {})
        kind = values.get("trigger_type") or trig.get("type") or "metric"
        if kind != trig.get("type"):
            trig = {"type": kind, kind: "", "ui": trig.get("ui")}
            if kind == "metric":
                trig["where"] = []
        elif kind == "segment" and "segment" in values:
            sid = str(values["segment"] or "")
            trig["segment"] = int(sid) if sid.isdigit() else ""
        elif kind in values:
            trig[kind] = values[kind] or ""
        return {**draft, "trigger": {k: v for k, v in trig.items() if v is not None}}
    nodes = []
    for node in draft.get("nodes") or []:
        if node["id"] == node_id:
            node = dict(node)
            if "amount" in values or "unit" in values:
                amount = values.get("amount") or 0
                node["minutes"] = int(round(float(amount) * UNITS[values.get("unit") or "days"]))
            if "percent" in values:
                node["percent"] = values["percent"]
            for key in ("subject", "body", "url", "list"):
                if key in values:
                    node[key] = values[key] or ""
            if "traits" in values:
                node["traits"] = parse_traits(values["traits"])
        nodes.append(node)
    return {**draft, "nodes": nodes}
