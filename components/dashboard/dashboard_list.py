"""The list of an account's dashboards: open, create, rename, duplicate, delete.
Used by /dashboards and by Home; owns the "dlist-" ids and their callbacks."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

import dash_mantine_components as dmc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from backend.accounts.timezones import get_timezone
from backend.dashboards import DashboardInvalid, service
from components.context import account_id, runtime
from components.dashboard.glyphs import icon
from components.dialogs import close_button
from components.list_actions import NotFound, delete_dialog, gone


def rows() -> list:
    with runtime().db.session() as s:
        found = [
            (d.id, d.name, len(d.definition["cards"]), d.updated_at)
            for d in service.list_dashboards(s, account_id())
        ]
        zone = ZoneInfo(get_timezone(s, account_id()))
    if not found:
        return [
            dmc.Text(
                "No dashboards yet. Name one above and press Create.", c="dimmed", id="dlist-empty"
            )
        ]
    out = []
    for did, name, n, updated in found:
        out.append(
            dmc.Paper(
                dmc.Group(
                    [
                        html.Div(
                            [
                                dcc.Link(
                                    name,
                                    href=f"/dashboards/{did}",
                                    className="dlist-name",
                                    id={"type": "dlist-open", "id": did},
                                ),
                                dmc.Text(
                                    f"{n} card{'s' if n != 1 else ''} · changed "
                                    f"{updated.replace(tzinfo=UTC).astimezone(zone):%b %d, %H:%M %Z}",
                                    size="xs",
                                    c="dimmed",
                                ),
                            ]
                        ),
                        dmc.Group(
                            [
                                dmc.Button(
                                    "Rename",
                                    id={"type": "dlist-rename", "id": did},
                                    variant="subtle",
                                    size="compact-sm",
                                    **{"aria-label": f"Rename {name}"},
                                ),
                                dmc.Button(
                                    "Duplicate",
                                    id={"type": "dlist-dup", "id": did},
                                    variant="subtle",
                                    size="compact-sm",
                                    **{"aria-label": f"Duplicate {name}"},
                                ),
                                dmc.Button(
                                    "Delete",
                                    id={"type": "dlist-del", "id": did},
                                    variant="subtle",
                                    color="red",
                                    size="compact-sm",
                                    **{"aria-label": f"Delete {name}"},
                                ),
                            ],
                            gap=4,
                        ),
                    ],
                    justify="space-between",
                ),
                p="sm",
                withBorder=True,
                radius="md",
                className="dlist-row",
                id=f"dlist-row-{did}",
            )
        )
    return out


def dashboard_list() -> html.Div:
    return html.Div(
        [
            dcc.Store(id="dlist-target"),
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
            html.Div(id="dlist-status", role="status", **{"aria-live": "polite"}),
            dmc.Stack(rows(), id="dlist-rows", gap="xs"),
            dmc.Modal(
                id="dlist-rename-modal",
                title="Rename dashboard",
                closeButtonProps=close_button(),
                children=[
                    dmc.TextInput(id="dlist-rename-name", label="Name", **{"data-autofocus": True}),
                    dmc.Group(
                        [
                            dmc.Button("Save", id="dlist-rename-save"),
                            dmc.Button("Cancel", id="dlist-rename-cancel", variant="default"),
                        ],
                        mt="md",
                    ),
                ],
            ),
            delete_dialog(
                "dlist",
                "Delete this dashboard?",
                "Its cards and layout are deleted; the data stays.",
            ),
        ]
    )


def _problem(what: str, exc: DashboardInvalid) -> html.Span:
    """ "Not created. Name: must not be empty." (it said "Could not create: must not be
    empty." without saying what)."""
    field = "Name" if exc.field == "name" else exc.field
    return html.Span(f"{what}. {field}: {exc.problem}.", className="form-error", id="dlist-problem")


def _clicked() -> bool:
    return bool(ctx.triggered and ctx.triggered[0]["value"])


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
            d = service.create(s, account_id(), {"name": name or "", "cards": []})
            made = d.name
    except DashboardInvalid as exc:
        return no_update, _problem("Not created", exc), no_update
    return rows(), f"Created {made}.", ""


@callback(
    Output("dlist-rows", "children", allow_duplicate=True),
    Output("dlist-status", "children", allow_duplicate=True),
    Input({"type": "dlist-dup", "id": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def duplicate(_n):
    if not _clicked():
        return no_update, no_update
    try:
        with runtime().db.session() as s:
            made = service.duplicate(s, account_id(), ctx.triggered_id["id"]).name
    except NotFound:
        return rows(), gone("dashboard")
    return rows(), f"Created {made}."


@callback(
    Output("dlist-rename-modal", "opened"),
    Output("dlist-rename-name", "value"),
    Output("dlist-target", "data", allow_duplicate=True),
    Output("dlist-rows", "children", allow_duplicate=True),
    Output("dlist-status", "children", allow_duplicate=True),
    Input({"type": "dlist-rename", "id": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def ask_rename(_n):
    if not _clicked():
        return no_update, no_update, no_update, no_update, no_update
    did = ctx.triggered_id["id"]
    try:
        with runtime().db.session() as s:
            name = service.get(s, account_id(), did).name
    except NotFound:
        return False, no_update, None, rows(), gone("dashboard")
    return True, name, did, no_update, no_update


@callback(
    Output("dlist-rows", "children", allow_duplicate=True),
    Output("dlist-status", "children", allow_duplicate=True),
    Output("dlist-rename-modal", "opened", allow_duplicate=True),
    Input("dlist-rename-save", "n_clicks"),
    Input("dlist-rename-cancel", "n_clicks"),
    State("dlist-rename-name", "value"),
    State("dlist-target", "data"),
    prevent_initial_call=True,
)
def rename(_save, _cancel, name, did):
    if ctx.triggered_id == "dlist-rename-cancel":
        return no_update, no_update, False
    try:
        with runtime().db.session() as s:
            service.rename(s, account_id(), did, name or "")
    except DashboardInvalid as exc:
        return no_update, _problem("Not renamed", exc), no_update
    except NotFound:
        return rows(), gone("dashboard"), False
    return rows(), "Renamed.", False


@callback(
    Output("dlist-delete-modal", "opened"),
    Output("dlist-target", "data", allow_duplicate=True),
    Input({"type": "dlist-del", "id": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def ask_delete(_n):
    if not _clicked():
        return no_update, no_update
    return True, ctx.triggered_id["id"]


@callback(
    Output("dlist-rows", "children", allow_duplicate=True),
    Output("dlist-status", "children", allow_duplicate=True),
    Output("dlist-delete-modal", "opened", allow_duplicate=True),
    Input("dlist-delete-confirm", "n_clicks"),
    Input("dlist-delete-cancel", "n_clicks"),
    State("dlist-target", "data"),
    prevent_initial_call=True,
)
def delete(_confirm, _cancel, did):
    if ctx.triggered_id == "dlist-delete-cancel":
        return no_update, no_update, False
    try:
        with runtime().db.session() as s:
            service.delete(s, account_id(), did)
    except NotFound:
        return rows(), gone("dashboard"), False
    return rows(), "Deleted.", False
