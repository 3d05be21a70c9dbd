"""Side panel callbacks: show the selected step, write its fields and conditions into the
draft, preview the e-mail, delete the step."""

from __future__ import annotations

from dash import ALL, Input, Output, State, callback, ctx, html, no_update

from backend.flows.layout import TRIGGER
from backend.segments.options import segment_choices
from components.context import account_id, runtime
from components.flows.canvas import edge
from components.flows.conditions import condition_kind, default_condition, read_conditions
from components.flows.panel import apply_fields, empty, node_panel, trigger_panel
from components.flows.preview import preview


def _segments() -> list[dict]:
    """The account's segments for the condition pickers, read when the panel draws: one
    made in another tab since the editor opened is offered too."""
    with runtime().db.session() as s:
        return [{"value": str(i), "label": name} for i, name in segment_choices(s, account_id())]


def render(draft: dict, node_id: str | None, options: dict, edges: list | None) -> list:
    metrics, lists = options.get("metrics") or [], options.get("lists") or []
    if node_id == TRIGGER:
        return trigger_panel(draft, metrics, lists, edges or [], _segments())
    node = next((n for n in draft.get("nodes") or [] if n["id"] == node_id), None)
    if node is None:
        return empty()
    segments = _segments() if node.get("type") == "split" else []
    return node_panel(node, draft, metrics, lists, edges or [], segments)


def side_panel() -> html.Aside:
    """The side panel of the selected step, whose ids the callbacks below own."""
    return html.Aside(
        empty(),
        id="flow-panel",
        className="fn-panel",
        **{"aria-label": "Selected step"},
    )


@callback(
    Output("flow-panel", "children"),
    Input("flow-canvas", "selectedNodes"),
    State("flow-draft", "data"),
    State("flow-options", "data"),
    State("flow-panel-node", "data"),
    State("flow-canvas", "edges"),
    prevent_initial_call=True,
)
def show_selected(selected, draft, options, shown, edges):
    node_id = selected[0] if selected and len(selected) == 1 else None
    if node_id == shown:
        return no_update  # re-rendering would steal the focus from the field being edited
    return render(draft, node_id, options, edges)


@callback(
    Output("flow-draft", "data", allow_duplicate=True),
    Output("flow-panel", "children", allow_duplicate=True),
    Input({"type": "flow-field", "field": ALL}, "value"),
    State("flow-panel-node", "data"),
    State("flow-draft", "data"),
    State("flow-options", "data"),
    State("flow-canvas", "edges"),
    prevent_initial_call=True,
)
def edit_fields(_values, node_id, draft, options, edges):
    if not node_id or not ctx.triggered_id:
        return no_update, no_update
    values = {i["id"]["field"]: i.get("value") for i in ctx.inputs_list[0]}
    new = apply_fields(draft, node_id, values)
    if new == draft:
        return no_update, no_update
    # switching the trigger between metric and list changes which inputs the panel shows
    if node_id == TRIGGER and ctx.triggered_id["field"] == "trigger_type":
        return new, render(new, node_id, options, edges)
    return new, no_update


def _set_conditions(draft: dict, node_id: str | None, scope: str, conds: list) -> dict:
    if scope == "filters":
        return {**draft, "filters": conds}
    if scope == "trigger":
        return {**draft, "trigger": {**(draft.get("trigger") or {}), "where": conds}}
    nodes = [{**n, "where": conds} if n["id"] == node_id else n for n in draft.get("nodes") or []]
    return {**draft, "nodes": nodes}


def _get_conditions(draft: dict, node_id: str | None, scope: str) -> list:
    if scope == "filters":
        return list(draft.get("filters") or [])
    if scope == "trigger":
        return list((draft.get("trigger") or {}).get("where") or [])
    node = next((n for n in draft.get("nodes") or [] if n["id"] == node_id), {})
    return list(node.get("where") or [])


@callback(
    Output("flow-draft", "data", allow_duplicate=True),
    Output("flow-panel", "children", allow_duplicate=True),
    Input({"type": "flow-cond", "scope": ALL, "i": ALL, "part": ALL}, "value"),
    Input({"type": "flow-cond-add", "scope": ALL}, "n_clicks"),
    Input({"type": "flow-cond-remove", "scope": ALL, "i": ALL}, "n_clicks"),
    State("flow-panel-node", "data"),
    State("flow-draft", "data"),
    State("flow-options", "data"),
    State("flow-canvas", "edges"),
    prevent_initial_call=True,
)
def edit_conditions(_values, _adds, _removes, node_id, draft, options, edges):
    trig = ctx.triggered_id
    if not trig or not node_id:
        return no_update, no_update
    if trig["type"] != "flow-cond" and not ctx.triggered[0]["value"]:
        return no_update, no_update  # a button rendered afresh, not clicked
    scope = trig["scope"]
    if trig["type"] == "flow-cond-add":
        kind = "event" if scope == "trigger" or _event_only(draft, node_id) else "traits"
        conds = [*_get_conditions(draft, node_id, scope), default_condition(kind)]
        new = _set_conditions(draft, node_id, scope, conds)
        return new, render(new, node_id, options, edges)
    if trig["type"] == "flow-cond-remove":
        conds = _get_conditions(draft, node_id, scope)
        del conds[trig["i"]]
        new = _set_conditions(draft, node_id, scope, conds)
        return new, render(new, node_id, options, edges)
    parts: dict[int, dict] = {}
    for item in ctx.inputs_list[0]:
        if item["id"]["scope"] == scope:
            parts.setdefault(item["id"]["i"], {})[item["id"]["part"]] = item.get("value")
    old = _get_conditions(draft, node_id, scope)
    switched = (
        trig["part"] == "kind"
        and trig["i"] < len(old)
        and (condition_kind(old[trig["i"]]) != parts[trig["i"]].get("kind"))
    )
    if switched:  # a new kind of condition: fresh inputs for that row
        for key in ("metric", "name", "segment"):
            parts[trig["i"]].pop(key, None)
    new = _set_conditions(draft, node_id, scope, read_conditions(parts))
    if new == draft:
        return no_update, no_update
    return new, (render(new, node_id, options, edges) if switched else no_update)


def _event_only(draft: dict, node_id: str) -> bool:
    node = next((n for n in draft.get("nodes") or [] if n["id"] == node_id), {})
    return (node.get("ui") or {}).get("kind") == "trigger_split"


@callback(
    Output("flow-email-preview", "children"),
    Input({"type": "flow-field", "field": "subject"}, "value"),
    Input({"type": "flow-field", "field": "body"}, "value"),
    prevent_initial_call=True,
)
def email_preview(subject, body):
    return preview(subject or "", body or "").children


@callback(
    Output("flow-canvas", "deleteElementsAction", allow_duplicate=True),
    Output("flow-panel", "children", allow_duplicate=True),
    Input("flow-delete-step", "n_clicks"),
    State("flow-panel-node", "data"),
    prevent_initial_call=True,
)
def delete_step(n, node_id):
    if not n or not node_id or node_id == TRIGGER:
        return no_update, no_update
    return {"nodeIds": [node_id]}, empty()


@callback(
    Output("flow-canvas", "edges", allow_duplicate=True),
    Input({"type": "flow-link", "branch": ALL}, "value"),
    State("flow-panel-node", "data"),
    State("flow-canvas", "edges"),
    prevent_initial_call=True,
)
def link(_values, node_id, edges):
    """A connection chosen in the panel replaces that branch's edge on the canvas."""
    trig = ctx.triggered_id
    if not trig or not node_id:
        return no_update
    branch = trig["branch"]
    target = next(i.get("value") for i in ctx.inputs_list[0] if i["id"]["branch"] == branch)
    edges = edges or []
    mine = [
        e
        for e in edges
        if e.get("source") == node_id and (e.get("sourceHandle") or "next") == branch
    ]
    if [e["target"] for e in mine] == ([target] if target else []):
        return no_update
    rest = [e for e in edges if e not in mine]
    return rest + ([edge(node_id, branch, target)] if target else [])
