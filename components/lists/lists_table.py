"""The lists table (rows and their Rename / Duplicate / Delete are components/item_list.py)
and the "New list" form above it."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import Input, Output, State, callback, dcc, html, no_update

from backend.errors import Conflict, Invalid
from backend.lists import service
from components.context import account_id, runtime
from components.dashboard.numbers import full
from components.format import ago, when
from components.item_list import Column, ItemKind, problem, register


def _describe_delete(s, account: str, list_id: int) -> str:
    lst = service.get_list(s, account, list_id)
    used_by = service.users(s, account, lst.name)
    if used_by:
        return (
            f"{lst.name} is used by {', '.join(used_by)}. Change them to another list first; "
            "until then it cannot be deleted."
        )
    n = service.member_count(s, lst.id)
    return f"Delete {lst.name}? Its {full(n)} memberships go with it; the profiles stay."


LISTS = ItemKind(
    key="lists",
    noun="list",
    title="List",
    items=service.list_lists,
    link=lambda list_id: f"/lists/{list_id}",
    columns=(
        Column("Members", lambda x: full(x["members"]), "list-members"),
        Column("Created", lambda x: html.Span(ago(x["created_at"]), title=when(x["created_at"]))),
    ),
    duplicate=lambda s, a, list_id: service.duplicate(s, a, list_id).name,
    delete=service.delete,
    describe_delete=_describe_delete,
    rename=service.rename,
    empty=lambda: dmc.Alert(
        "No lists yet. Create one above, then import a CSV of subscribers into it, or point "
        "a signup form at it.",
        title="No lists",
        color="gray",
        id="lists-empty",
    ),
    row_class="list-row",
    name_class="list-link",
    delete_title="Delete this list?",
    delete_label="Delete list",
)
register(LISTS)


def new_list_form() -> html.Div:
    return html.Div(
        dmc.Group(
            [
                dmc.TextInput(
                    id="lists-new-name",
                    label="New list",
                    placeholder="e.g. Newsletter",
                    w=280,
                ),
                dmc.Button("Create list", id="lists-new-create"),
                dcc.Location(id="lists-nav", refresh="callback-nav"),
            ],
            align="flex-end",
        ),
        id="lists-new-form",
        role="group",
        **{"aria-label": "Create a list"},
    )


@callback(
    Output("lists-nav", "href"),
    Output("lists-status", "children", allow_duplicate=True),
    Input("lists-new-create", "n_clicks"),
    Input("lists-new-name", "n_submit"),  # Enter in the name field creates it too
    State("lists-new-name", "value"),
    prevent_initial_call=True,
)
def create(_n, _enter, name):
    try:
        with runtime().db.session() as s:
            lst = service.create(s, account_id(), {"name": name or ""})
            return f"/lists/{lst.id}", no_update
    except (Invalid, Conflict) as exc:
        return no_update, problem("Not created", exc, "lists")
