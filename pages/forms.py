"""Forms: the list (status, views, submits, conversion) and create / duplicate / delete."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from backend.forms import service, stats
from backend.forms.starters import template
from components.context import account_id, runtime
from components.forms.forms_table import forms_table, template_buttons
from components.list_actions import NotFound, delete_dialog, gone

dash.register_page(__name__, path="/forms", name="Forms", title="Forms · Tally", icon="form")


def _table():
    rt = runtime()
    with rt.db.session() as s:
        forms = [service.to_json(f) for f in service.list_forms(s, account_id())]
        numbers = stats.form_numbers(rt, s, account_id())
    return forms_table(forms, numbers)


def layout(**_):
    return dmc.Stack(
        [
            html.H1("Forms", className="page-title"),
            dmc.Text(
                "Signup forms for your storefront: popups, flyouts and inline embeds. "
                "Numbers count since each form was created.",
                size="sm",
                c="dimmed",
            ),
            template_buttons(),
            html.Div(_table(), id="forms-list"),
            dcc.Location(id="forms-nav", refresh="callback-nav"),
            delete_dialog("forms", "Delete this form?", label="Delete form"),
            dcc.Store(id="forms-delete-target"),
        ]
    )


@callback(
    Output("forms-nav", "href"),
    Input({"type": "forms-new", "template": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def create_from_template(_clicks):
    if not ctx.triggered_id or not any(_clicks):
        return no_update
    with runtime().db.session() as s:
        form = service.create(s, account_id(), template(ctx.triggered_id["template"]))
        s.flush()
        return f"/forms/{form.id}"


@callback(
    Output("forms-list", "children"),
    Input({"type": "forms-duplicate", "index": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def duplicate(_dup):
    if not ctx.triggered_id or not (ctx.triggered and ctx.triggered[0]["value"]):
        return no_update
    try:
        with runtime().db.session() as s:
            service.duplicate(s, account_id(), ctx.triggered_id["index"])
    except NotFound:
        return [gone("form"), _table()]
    return _table()


@callback(
    Output("forms-delete-modal", "opened"),
    Output("forms-delete-target", "data"),
    Output("forms-delete-text", "children"),
    Input({"type": "forms-delete", "index": ALL}, "n_clicks"),
    Input("forms-delete-cancel", "n_clicks"),
    prevent_initial_call=True,
)
def ask_delete(_del, _cancel):
    """A delete takes a live form off every storefront at once and cannot be undone: ask."""
    trig = ctx.triggered_id
    if trig == "forms-delete-cancel" or not (ctx.triggered and ctx.triggered[0]["value"]):
        return False, None, no_update
    try:
        with runtime().db.session() as s:
            form = service.to_json(service.get(s, account_id(), trig["index"]))
    except NotFound:
        return False, None, no_update
    live = " It is live: storefronts stop showing it at once." if form["status"] == "live" else ""
    return True, form["id"], f"Delete {form['name']}?{live} This cannot be undone."


@callback(
    Output("forms-list", "children", allow_duplicate=True),
    Output("forms-delete-modal", "opened", allow_duplicate=True),
    Input("forms-delete-confirm", "n_clicks"),
    State("forms-delete-target", "data"),
    prevent_initial_call=True,
)
def confirm_delete(_n, form_id):
    if form_id is None:
        return no_update, False
    try:
        with runtime().db.session() as s:
            service.delete(s, account_id(), form_id)
    except NotFound:
        return [gone("form"), _table()], False
    return _table(), False
