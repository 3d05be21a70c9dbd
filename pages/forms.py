"""Forms: create from a template here; the list (status, views, submits, conversion) with
duplicate and delete is components/forms/forms_table.py."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import ALL, Input, Output, callback, ctx, dcc, html, no_update

from backend.forms import service
from backend.forms.starters import template
from components.context import account_id, runtime
from components.forms.forms_table import FORMS, template_buttons
from components.item_list import item_list

dash.register_page(__name__, path="/forms", name="Forms", title="Forms · Tally", icon="form")


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
            item_list(FORMS),
            dcc.Location(id="forms-nav", refresh="callback-nav"),
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
