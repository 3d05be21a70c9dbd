"""What the lists of dashboards, flows and forms share: the delete confirmation, and what
a click does when a row's thing is gone, deleted in another tab (or through the API) since
the list was drawn: it re-draws the list and says so (it used to raise inside the callback,
and the page did nothing)."""

from __future__ import annotations

import dash_mantine_components as dmc

from backend.errors import NotFound
from components.dialogs import close_button

__all__ = ["NotFound", "delete_dialog", "gone"]


def gone(what: str) -> dmc.Alert:
    return dmc.Alert(
        f"That {what} was deleted elsewhere (in another tab, or through the API). The list "
        "now shows what is left.",
        color="gray",
        variant="light",
        className="list-gone",
    )


def delete_dialog(prefix: str, title: str, text: str = "", label: str = "Delete") -> dmc.Modal:
    """The delete confirmation of a list: ids `{prefix}-delete-modal`, `-text`, `-confirm`,
    `-cancel`. Focus starts on Cancel, so Enter never deletes by accident."""
    return dmc.Modal(
        id=f"{prefix}-delete-modal",
        title=title,
        closeButtonProps=close_button(),
        children=[
            dmc.Text(text, id=f"{prefix}-delete-text", size="sm"),
            dmc.Group(
                [
                    dmc.Button(
                        "Cancel",
                        id=f"{prefix}-delete-cancel",
                        variant="default",
                        **{"data-autofocus": True},
                    ),
                    dmc.Button(label, id=f"{prefix}-delete-confirm", color="red"),
                ],
                justify="flex-end",
                mt="md",
            ),
        ],
    )
