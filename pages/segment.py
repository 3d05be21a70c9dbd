"""One segment: the builder with its live count; for a saved one also its members, their
number over time and the CSV export; save and delete."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import Input, Output, State, callback, dcc, html, no_update

from backend.errors import Conflict, Invalid, NotFound
from backend.segments import service
from backend.segments.options import builder_options
from components.context import account_id, runtime
from components.dialogs import close_button
from components.segments.builder import builder
from components.segments.draft import NEW_ROW, to_definition, to_draft
from components.segments.members import members, over_time, summary

dash.register_page(
    __name__, path_template="/segments/<segment_id>", title="Segment · Tally", nav=False
)


def _not_found():
    return dmc.Stack(
        [
            html.H1("Segment not found", className="page-title"),
            dmc.Anchor("Back to all segments", href="/segments"),
        ]
    )


def layout(segment_id: str = "", **_):
    seg, points = None, None
    try:
        with runtime().db.session() as s:
            if segment_id != "new":
                seg = service.to_json(service.get_segment(s, account_id(), int(segment_id)))
                points = service.history(s, account_id(), seg["id"])
            opts = builder_options(s, account_id(), exclude_segment=seg and seg["id"])
    except (ValueError, NotFound):
        return _not_found()
    draft = to_draft(seg["conditions"]) if seg else [[dict(NEW_ROW)]]
    head = [
        html.H1(seg["name"] if seg else "New segment", className="page-title"),
        dmc.Group(
            [
                dmc.TextInput(
                    id="seg-name",
                    label="Name",
                    value=seg["name"] if seg else "",
                    placeholder="e.g. Repeat buyers",
                    w=320,
                ),
                dmc.Button("Save segment", id="seg-save"),
                *(
                    [dmc.Button("Delete", id="seg-delete", color="red", variant="outline")]
                    if seg
                    else []
                ),
            ],
            align="flex-end",
        ),
        html.Div(id="seg-alert"),
        dcc.Store(id="seg-id", data=seg and seg["id"]),
        dcc.Location(id="seg-nav", refresh="callback-nav"),
    ]
    body = [builder(draft, opts)]
    if seg:
        body = [summary(seg), *body, over_time(points), members(seg["id"]), _delete_modal()]
    return dmc.Stack([*head, *body], gap="md", maw=1200)


def _delete_modal():
    return dmc.Modal(
        id="seg-delete-modal",
        title="Delete this segment?",
        closeButtonProps=close_button(),
        children=[
            dmc.Text("Its members and history go with it; profiles stay.", size="sm"),
            dmc.Group(
                [
                    dmc.Button(
                        "Cancel",
                        id="seg-delete-cancel",
                        variant="default",
                        **{"data-autofocus": True},
                    ),
                    dmc.Button("Delete segment", id="seg-delete-confirm", color="red"),
                ],
                justify="flex-end",
                mt="md",
            ),
        ],
    )


def _alert(title: str, lines=(), color="red"):
    return dmc.Alert(
        html.Ul([html.Li(str(x)) for x in lines]) if lines else None,
        title=title,
        color=color,
        variant="light",
        id="seg-alert-box",
    )


@callback(
    Output("seg-alert", "children"),
    Output("seg-nav", "href"),
    Input("seg-save", "n_clicks"),
    State("seg-id", "data"),
    State("seg-name", "value"),
    State("seg-draft", "data"),
    prevent_initial_call=True,
)
def save(_n, sid, name, draft):
    body = {"name": name or "", "conditions": to_definition(draft or [])}
    try:
        with runtime().db.session() as s:
            if sid:
                seg = service.update(s, account_id(), sid, body)
            else:
                seg = service.create(s, account_id(), body)
            sid, count = seg.id, seg.count
    except Invalid as exc:
        return _alert("The segment was not saved", exc.problems), no_update
    return no_update, f"/segments/{sid}?saved={count}"


@callback(
    Output("seg-delete-modal", "opened"),
    Input("seg-delete", "n_clicks"),
    Input("seg-delete-cancel", "n_clicks"),
    prevent_initial_call=True,
)
def ask_delete(_open, _cancel):
    return dash.ctx.triggered_id == "seg-delete"


@callback(
    Output("seg-alert", "children", allow_duplicate=True),
    Output("seg-nav", "href", allow_duplicate=True),
    Output("seg-delete-modal", "opened", allow_duplicate=True),
    Input("seg-delete-confirm", "n_clicks"),
    State("seg-id", "data"),
    prevent_initial_call=True,
)
def delete(_n, sid):
    try:
        with runtime().db.session() as s:
            service.delete(s, account_id(), sid)
    except Conflict as exc:
        return _alert("The segment is in use", [exc.message]), no_update, False
    return no_update, "/segments", False
