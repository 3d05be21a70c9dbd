"""The list of an account's dashboards: open, create, rename, duplicate, delete.
Used by /dashboards and by Home; the rows and their actions are components/item_list.py,
this file owns the Create field and its callback."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

import dash_mantine_components as dmc
from dash import Input, Output, State, callback, html, no_update

from backend.accounts.timezones import get_timezone
from backend.dashboards import DashboardInvalid, service
from components.context import account_id, runtime
from components.dashboard.glyphs import icon
from components.item_list import Column, ItemKind, item_list, problem, register, render


def _items(s, account: str) -> list[dict]:
    zone = ZoneInfo(get_timezone(s, account))
    return [
        {
            "id": d.id,
            "name": d.name,
            "cards": len(d.definition["cards"]),
            "changed": d.updated_at.replace(tzinfo=UTC).astimezone(zone),
        }
        for d in service.list_dashboards(s, account)
    ]


def _describe_delete(s, account: str, did: int) -> str:
    name = service.get(s, account, did).name
    return f"Delete {name}? Its cards and layout are deleted; the data stays."


DASHBOARDS = ItemKind(
    key="dlist",
    noun="dashboard",
    title="Dashboard",
    items=_items,
    link=lambda did: f"/dashboards/{did}",
    columns=(
        Column("Cards", lambda d: f"{d['cards']:,}", "num"),
        Column("Changed", lambda d: f"{d['changed']:%b %d, %H:%M %Z}", "muted"),
    ),
    duplicate=lambda s, a, did: service.duplicate(s, a, did).name,
    delete=service.delete,
    describe_delete=_describe_delete,
    rename=service.rename,
    empty=lambda: dmc.Text(
        "No dashboards yet. Name one above and press Create.", c="dimmed", id="dlist-empty"
    ),
    row_class="dlist-row",
    name_class="dlist-name",
    delete_title="Delete this dashboard?",
)
register(DASHBOARDS)


def dashboard_list() -> html.Div:
    return html.Div(
        [
            dmc.Group(
                [
                    dmc.TextInput(
                        id="dlist-new-name",
                        label="New dashboard",
                        placeholder="e.g. Black Friday",
                        w=280,
                    ),
                    dmc.Button("Create", id="dlist-create", leftSection=icon("plus", 16)),
                ],
                align="flex-end",
                mb="md",
            ),
            item_list(DASHBOARDS),
        ]
    )


@callback(
    Output("dlist-rows", "children", allow_duplicate=True),
    Output("dlist-status", "children", allow_duplicate=True),
    Output("dlist-new-name", "value"),
    Input("dlist-create", "n_clicks"),
    Input("dlist-new-name", "n_submit"),
    State("dlist-new-name", "value"),
    prevent_initial_call=True,
)
def create(_n, _submit, name):
    try:
        with runtime().db.session() as s:
            made = service.create(s, account_id(), {"name": name or "", "cards": []}).name
    except DashboardInvalid as exc:
        return no_update, problem("Not created", exc, "dlist"), no_update
    return render(DASHBOARDS), f"Created {made}.", ""
