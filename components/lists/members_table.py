"""A list's members, a page at a time by cursor (Previous / Next are buttons, so the keyboard
reaches them), each linked to its profile; and the export link (a plain download of the
streamed /lists/<id>/export.csv, so a million rows never pass through a callback)."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from backend.lists import members
from components.context import account_id, runtime
from components.format import when

PAGE = 25


def _name(m: dict) -> str:
    return " ".join(x for x in (m["first_name"], m["last_name"]) if x) or "—"


def _table(page: dict):
    if not page["members"]:
        return dmc.Alert(
            "No members yet. Import a CSV below, or point a signup form or a flow's "
            '"Add to list" step at this list.',
            title="No members",
            color="gray",
            id="list-members-empty",
        )
    rows = [
        html.Tr(
            [
                html.Td(
                    dcc.Link(
                        m["email"] or m["external_id"] or f"Anonymous #{m['id']}",
                        href=f"/profiles/{m['id']}",
                    )
                ),
                html.Td(_name(m)),
                html.Td(m["email_status"].replace("_", " ")),
                html.Td(when(m["joined_at"])),
            ],
            className="list-member-row",
        )
        for m in page["members"]
    ]
    head = html.Tr(
        [html.Th(h, scope="col") for h in ("Profile", "Name", "E-mail status", "Joined")]
    )
    return html.Div(
        dmc.Table([html.Thead(head), html.Tbody(rows)], striped=True, highlightOnHover=True),
        className="table-scroll",
    )


def _page(list_id: int, after: int | None) -> dict:
    with runtime().db.session() as s:
        return members.page(s, account_id(), list_id, PAGE, after)


def members_section(list_id: int) -> html.Div:
    page = _page(list_id, None)
    return html.Div(
        [
            dmc.Group(
                [
                    html.H2("Members", className="section-title"),
                    # A plain link: the browser downloads the stream itself.
                    html.A(
                        "Export CSV",
                        href=f"/lists/{list_id}/export.csv",
                        id="list-export",
                        download=f"list-{list_id}.csv",
                    ),
                ],
                justify="space-between",
            ),
            dcc.Store(
                id="list-cursors", data={"list": list_id, "stack": [None], "next": page["next"]}
            ),
            html.Div(
                _table(page),
                id="list-members",
                role="region",
                **{"aria-live": "polite", "aria-label": "Members"},
            ),
            dmc.Group(
                [
                    dmc.Button(
                        "Previous", id="list-prev", variant="default", size="xs", disabled=True
                    ),
                    dmc.Button(
                        "Next",
                        id="list-next",
                        variant="default",
                        size="xs",
                        disabled=page["next"] is None,
                    ),
                ],
                mt="xs",
            ),
        ]
    )


@callback(
    Output("list-members", "children"),
    Output("list-cursors", "data"),
    Output("list-prev", "disabled"),
    Output("list-next", "disabled"),
    Input("list-prev", "n_clicks"),
    Input("list-next", "n_clicks"),
    Input("list-members-refresh", "data"),
    State("list-cursors", "data"),
    prevent_initial_call=True,
)
def turn(_prev, _next, _refresh, state):
    stack = list(state["stack"])
    if ctx.triggered_id == "list-next" and state["next"]:
        stack.append(int(state["next"]))
    elif ctx.triggered_id == "list-prev" and len(stack) > 1:
        stack.pop()
    elif ctx.triggered_id != "list-members-refresh":
        return no_update, no_update, no_update, no_update
    page = _page(state["list"], stack[-1])
    new = {**state, "stack": stack, "next": page["next"]}
    return _table(page), new, len(stack) == 1, page["next"] is None
