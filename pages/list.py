"""One list: members now, growth and sources over a period, its members, CSV import and
export (the widgets are components/lists/)."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import html

from backend.errors import NotFound
from backend.lists import service
from components.context import account_id, runtime
from components.lists.growth import overview
from components.lists.importer import importer
from components.lists.members_table import members_section

dash.register_page(__name__, path_template="/lists/<list_id>", title="List · Tally", nav=False)


def _not_found():
    return dmc.Stack(
        [
            html.H1("List not found", className="page-title"),
            dmc.Anchor("Back to all lists", href="/lists"),
        ]
    )


def layout(list_id: str = "", **_):
    try:
        with runtime().db.session() as s:
            lst = service.get_list(s, account_id(), int(list_id))
            lid, name = lst.id, lst.name
            used_by = service.users(s, account_id(), name)
    except (ValueError, NotFound):
        return _not_found()
    used = (
        dmc.Text(f"Used by {', '.join(used_by)}.", size="sm", c="dimmed", id="list-used-by")
        if used_by
        else None
    )
    return dmc.Stack(
        [
            dmc.Anchor("← All lists", href="/lists", size="sm"),
            html.H1(name, className="page-title", id="list-name"),
            used,
            overview(lid),
            members_section(lid),
            importer(lid),
        ],
        gap="md",
        maw=1200,
    )
