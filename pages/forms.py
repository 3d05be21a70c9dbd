"""Forms: the list (status, views, submits, conversion) and create / duplicate / delete."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import ALL, Input, Output, callback, ctx, dcc, html, no_update

from backend.forms import service, stats
from backend.forms.templates import template
from components.context import account_id, runtime
from components.forms.forms_table import forms_table, template_buttons

dash.register_page(__name__, path="/forms", name="Forms", title="Forms · Tally", icon="form")


def _table():
    rt = runtime()
    with rt.db.session() as s:
        forms = [service.to_json(f) for f in service.list_forms(s, account_id())]
        numbers = stats.form_numbers(rt, s, account_id())
    return forms_table(forms, numbers)


def layout(**_):
    return dmc.Stack([
        html.H1("Forms", className="page-title"),
        dmc.Text("Signup forms for your storefront: popups, flyouts and inline embeds. "
                 "Numbers count since each form was created.", size="sm", c="dimmed"),
        template_buttons(),
        html.Div(_table(), id="forms-list"),
        dcc.Location(id="forms-nav", refresh="callback-nav"),
    ])


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
    Input({"type": "forms-delete", "index": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def row_action(_dup, _del):
    trig = ctx.triggered_id
    if not trig or not (ctx.triggered and ctx.triggered[0]["value"]):
        return no_update
    try:
        with runtime().db.session() as s:
            if trig["type"] == "forms-duplicate":
                service.duplicate(s, account_id(), trig["index"])
            else:
                service.delete(s, account_id(), trig["index"])
    except service.FormNotFound:
        pass  # deleted in another tab: the refreshed list shows the truth
    return _table()
