"""One list of an account's things (dashboards, flows, forms): a row per item with its
columns, Rename / Duplicate / Delete, and the callbacks that handle them.

An `ItemKind` says what differs: the backend functions (list, duplicate, rename, delete,
describe for the confirmation) and a small row description (columns). Every kind gets the
same ids: fixed ones prefixed by `kind.key` (`{key}-rows`, `-status`, `-target`,
`-rename-*`, `-delete-*`) and row buttons `{"type": "item-dup" | "item-rename" | "item-del",
"kind": key, "id": item}`. `register(kind)` adds the kind's callbacks, once, at import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dash_mantine_components as dmc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from backend.errors import Conflict, Invalid
from components.context import account_id, runtime
from components.dialogs import close_button
from components.list_actions import NotFound, delete_dialog, gone

# (session, account id, item id) -> ...
Act = Callable[[Any, str, int], Any]


@dataclass(frozen=True)
class Column:
    header: str
    cell: Callable[[dict], Any]
    class_name: str = ""


@dataclass(frozen=True)
class ItemKind:
    key: str  # prefix of the fixed ids and the "kind" of the row buttons' ids
    noun: str  # "dashboard": said when one is gone
    title: str  # header of the name column
    items: Callable[[Any, str], list[dict]]  # (session, account) -> [{"id", "name", ...}]
    link: Callable[[int], str]
    columns: tuple[Column, ...]
    duplicate: Act  # returns the copy's name
    delete: Act
    describe_delete: Act  # the confirmation's text; raises NotFound when gone
    rename: Callable[[Any, str, int, str], Any] | None = None
    empty: Callable[[], Any] = lambda: dmc.Text("Nothing here yet.", c="dimmed")
    row_id: str = "{key}-row-{id}"
    row_class: str = "item-row"
    name_class: str = "item-name"
    delete_title: str = "Delete?"
    delete_label: str = "Delete"


def _button(label: str, kind: ItemKind, action: str, item: dict, **kw) -> dmc.Button:
    return dmc.Button(
        label,
        id={"type": action, "kind": kind.key, "id": item["id"]},
        variant="subtle",
        size="compact-sm",
        **{"aria-label": f"{label} {item['name']}"},
        **kw,
    )


def render(kind: ItemKind):
    with runtime().db.session() as s:
        items = kind.items(s, account_id())
    if not items:
        return kind.empty()
    rows = []
    for it in items:
        actions = [_button("Duplicate", kind, "item-dup", it)]
        if kind.rename:
            actions.insert(0, _button("Rename", kind, "item-rename", it))
        actions.append(_button("Delete", kind, "item-del", it, color="red"))
        cells = [html.Td(dcc.Link(it["name"], href=kind.link(it["id"]), className=kind.name_class))]
        cells += [html.Td(c.cell(it), className=c.class_name or None) for c in kind.columns]
        cells.append(html.Td(dmc.Group(actions, gap=4, wrap="nowrap")))
        rows.append(
            html.Tr(
                cells,
                id=kind.row_id.format(key=kind.key, id=it["id"]),
                className=kind.row_class,
            )
        )
    head = html.Thead(
        html.Tr(
            [html.Th(h, scope="col") for h in (kind.title, *(c.header for c in kind.columns))]
            + [html.Th(html.Span("Actions", className="visually-hidden"), scope="col")]
        )
    )
    return dmc.Table(
        [head, html.Tbody(rows)], id=f"{kind.key}-table", highlightOnHover=True, striped=True
    )


def item_list(kind: ItemKind) -> html.Div:
    parts = [
        dcc.Store(id=f"{kind.key}-target"),
        html.Div(id=f"{kind.key}-status", role="status", **{"aria-live": "polite"}),
        html.Div(render(kind), id=f"{kind.key}-rows", role="region", **{"aria-label": kind.title}),
        delete_dialog(kind.key, kind.delete_title, label=kind.delete_label),
    ]
    if kind.rename:
        parts.append(_rename_dialog(kind))
    return html.Div(parts)


def _rename_dialog(kind: ItemKind) -> dmc.Modal:
    k = kind.key
    return dmc.Modal(
        id=f"{k}-rename-modal",
        title=f"Rename {kind.noun}",
        closeButtonProps=close_button(),
        children=[
            dmc.TextInput(id=f"{k}-rename-name", label="Name", **{"data-autofocus": True}),
            dmc.Group(
                [
                    dmc.Button("Save", id=f"{k}-rename-save"),
                    dmc.Button("Cancel", id=f"{k}-rename-cancel", variant="default"),
                ],
                mt="md",
            ),
        ],
    )


def problem(what: str, exc: Invalid, key: str) -> html.Span:
    """ "Not renamed. Name: must not be empty." names the field, not just the problem."""
    text = exc.message[:1].upper() + exc.message[1:]
    return html.Span(f"{what}. {text}.", className="form-error", id=f"{key}-problem")


def _clicked() -> bool:
    return bool(ctx.triggered and ctx.triggered[0]["value"])


def register(kind: ItemKind) -> None:
    """The kind's callbacks, beside the layout above that owns their ids."""
    k = kind.key
    rows, status = (
        Output(f"{k}-rows", "children", allow_duplicate=True),
        Output(f"{k}-status", "children", allow_duplicate=True),
    )

    @callback(
        rows,
        status,
        Input({"type": "item-dup", "kind": k, "id": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def duplicate(_n):
        if not _clicked():
            return no_update, no_update
        try:
            with runtime().db.session() as s:
                made = kind.duplicate(s, account_id(), ctx.triggered_id["id"])
        except NotFound:
            return render(kind), gone(kind.noun)
        return render(kind), f"Created {made}."

    @callback(
        Output(f"{k}-delete-modal", "opened"),
        Output(f"{k}-target", "data", allow_duplicate=True),
        Output(f"{k}-delete-text", "children"),
        rows,
        status,
        Input({"type": "item-del", "kind": k, "id": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def ask_delete(_n):
        if not _clicked():
            return (no_update,) * 5
        item = ctx.triggered_id["id"]
        try:
            with runtime().db.session() as s:
                text = kind.describe_delete(s, account_id(), item)
        except NotFound:
            return False, None, no_update, render(kind), gone(kind.noun)
        return True, item, text, no_update, no_update

    @callback(
        rows,
        status,
        Output(f"{k}-delete-modal", "opened", allow_duplicate=True),
        Input(f"{k}-delete-confirm", "n_clicks"),
        Input(f"{k}-delete-cancel", "n_clicks"),
        State(f"{k}-target", "data"),
        prevent_initial_call=True,
    )
    def delete(_confirm, _cancel, item):
        if ctx.triggered_id == f"{k}-delete-cancel" or item is None:
            return no_update, no_update, False
        try:
            with runtime().db.session() as s:
                kind.delete(s, account_id(), item)
        except NotFound:
            return render(kind), gone(kind.noun), False
        except Conflict as exc:  # in use (a list named by a form, flow...): say by what
            return no_update, problem("Not deleted", exc, k), False
        return render(kind), "Deleted.", False

    if kind.rename:
        _register_rename(kind, rows, status)


def _register_rename(kind: ItemKind, rows: Output, status: Output) -> None:
    k = kind.key

    @callback(
        Output(f"{k}-rename-modal", "opened"),
        Output(f"{k}-rename-name", "value"),
        Output(f"{k}-target", "data", allow_duplicate=True),
        rows,
        status,
        Input({"type": "item-rename", "kind": k, "id": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def ask_rename(_n):
        if not _clicked():
            return (no_update,) * 5
        item = ctx.triggered_id["id"]
        try:
            with runtime().db.session() as s:
                names = {i["id"]: i["name"] for i in kind.items(s, account_id())}
        except NotFound:
            names = {}
        if item not in names:
            return False, no_update, None, render(kind), gone(kind.noun)
        return True, names[item], item, no_update, no_update

    @callback(
        rows,
        status,
        Output(f"{k}-rename-modal", "opened", allow_duplicate=True),
        Input(f"{k}-rename-save", "n_clicks"),
        Input(f"{k}-rename-cancel", "n_clicks"),
        State(f"{k}-rename-name", "value"),
        State(f"{k}-target", "data"),
        prevent_initial_call=True,
    )
    def rename(_save, _cancel, name, item):
        if ctx.triggered_id == f"{k}-rename-cancel":
            return no_update, no_update, False
        try:
            with runtime().db.session() as s:
                kind.rename(s, account_id(), item, name or "")
        except (Invalid, Conflict) as exc:
            return no_update, problem("Not renamed", exc, k), no_update
        except NotFound:
            return render(kind), gone(kind.noun), False
        return render(kind), "Renamed.", False
