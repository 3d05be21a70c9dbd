"""Lists: create one here; the table (members, created, rename, duplicate, delete) is
components/lists/lists_table.py."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import html

from components.item_list import item_list
from components.lists.lists_table import LISTS, new_list_form

dash.register_page(__name__, path="/lists", name="Lists", title="Lists · Tally", icon="list")


def layout(**_):
    return dmc.Stack(
        [
            html.H1("Lists", className="page-title"),
            dmc.Text(
                "The people who asked to hear from you: forms, flows, imports and the API add "
                "them. Open a list for its growth, where members came from, imports and export.",
                size="sm",
                c="dimmed",
            ),
            new_list_form(),
            item_list(LISTS),
        ]
    )
