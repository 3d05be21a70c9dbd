"""What the lists of dashboards, flows and forms share: a row's thing may be gone, deleted
in another tab (or through the API) since the list was drawn. A click on it then re-draws
the list and says so; it used to raise inside the callback, and the page did nothing."""

from __future__ import annotations

import dash_mantine_components as dmc

from backend.errors import NotFound

__all__ = ["NotFound", "gone"]


def gone(what: str) -> dmc.Alert:
    return dmc.Alert(
        f"That {what} was deleted elsewhere (in another tab, or through the API). The list "
        "now shows what is left.",
        color="gray",
        variant="light",
        className="list-gone",
    )
