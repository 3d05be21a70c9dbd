"""Settings › Popups: the per-visitor cap across popup forms, "at most N different popups a
visitor sees a day" (1-10, default 2) or no limit. The storefront script reads it with the
live forms (backend/forms/popup_cap.py); Save refuses anything else and changes nothing."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import Input, Output, State, callback, html

from backend.forms import popup_cap
from components.context import account_id, runtime

NO_LIMIT = "none"
CHOICES = [{"value": str(n), "label": str(n)} for n in range(1, 11)] + [
    {"value": NO_LIMIT, "label": "No limit"}
]


def _words(cap: int | None) -> str:
    if cap is None:
        return "A visitor may see every live popup the same day, one at a time."
    return (
        f"A visitor sees at most {cap} different popup{'s' if cap != 1 else ''} a day; "
        "the rest wait for the next day."
    )


def section() -> dmc.Paper:
    with runtime().db.session() as s:
        current = popup_cap.get_popups_per_day(s, account_id())
    return dmc.Paper(
        html.Section(
            [
                html.H2("Popups", className="section-title", id="settings-popups-title"),
                dmc.Text(
                    "Popups queue, one at a time, by their priority. This caps how many "
                    "different popups one visitor is shown a day, across all your forms.",
                    size="sm",
                    c="dimmed",
                    mb="md",
                ),
                dmc.Group(
                    [
                        dmc.Select(
                            id="settings-popups-cap",
                            label="Different popups a visitor sees a day, at most",
                            description="1 to 10, or no limit",
                            data=CHOICES,
                            value=NO_LIMIT if current is None else str(current),
                            allowDeselect=False,
                            w=340,
                        ),
                        dmc.Button("Save popup cap", id="settings-popups-save"),
                    ],
                    align="flex-end",
                ),
                dmc.Text(_words(current), id="settings-popups-words", size="sm", mt=6),
                html.Div(
                    id="settings-popups-status",
                    role="status",
                    className="notice",
                    **{"aria-live": "polite"},
                ),
            ],
            **{"aria-labelledby": "settings-popups-title"},
        ),
        p="lg",
        withBorder=True,
        radius="md",
    )


@callback(
    Output("settings-popups-status", "children"),
    Output("settings-popups-words", "children"),
    Input("settings-popups-save", "n_clicks"),
    State("settings-popups-cap", "value"),
    prevent_initial_call=True,
)
def save_popup_cap(_n, value):
    """Save through popup_cap.set_popups_per_day; a value outside 1-10 changes nothing and
    says why (the select offers only good ones, but a request can carry anything)."""
    try:
        with runtime().db.session() as s:
            saved = popup_cap.set_popups_per_day(s, account_id(), value)
    except popup_cap.PopupCapInvalid as exc:
        with runtime().db.session() as s:
            current = popup_cap.get_popups_per_day(s, account_id())
        alert = dmc.Alert(
            f"{'; '.join(exc.problems)}. {_words(current)}",
            color="red",
            title="Popup cap not changed",
            id="settings-popups-error",
        )
        return alert, _words(current)
    notice = dmc.Alert(f"Saved. {_words(saved)}", color="green", id="settings-popups-saved")
    return notice, _words(saved)
