"""A profile's privacy actions: "Export data" (a JSON download of everything held on the
person) and "Delete" (behind a dialog that names the person). Both go through
backend/privacy, audited under the logged-in user; the API offers the same."""

from __future__ import annotations

import json

import dash_mantine_components as dmc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from flask_login import current_user

from backend.privacy.audit import Actor
from backend.privacy.erase import erase_profile
from backend.privacy.export import export_profile
from components.context import account_id, runtime
from components.dialogs import close_button


def _me() -> Actor:
    return Actor("user", str(current_user.id), current_user.email)


def privacy_actions(profile_id: int, who: str) -> html.Div:
    """The two buttons, the download and the confirmation dialog for one profile; `who` is
    how the dialog names the person (name and address)."""
    return html.Div(
        [
            dmc.Group(
                [
                    dmc.Button(
                        "Export data",
                        id="profile-export",
                        variant="default",
                        **{"aria-label": f"Export data: everything held on {who}, as JSON"},
                    ),
                    dmc.Button("Delete", id="profile-delete", color="red", variant="light"),
                ],
                gap="sm",
            ),
            dcc.Download(id="profile-export-download"),
            dcc.Store(id="profile-privacy-id", data=profile_id),
            dcc.Location(id="profile-privacy-nav", refresh="callback-nav"),
            dmc.Modal(
                [
                    dmc.Text(
                        [
                            "This deletes ",
                            html.Strong(who, id="profile-delete-who"),
                            ": the profile, its events, aliases, list and segment "
                            "memberships, waiting flow steps and campaign recipient rows. "
                            "It cannot be undone. Counts on dashboards keep their totals; "
                            "the address is kept only as a hash, so it is never e-mailed "
                            "again by accident.",
                        ],
                        size="sm",
                    ),
                    dmc.Group(
                        [
                            dmc.Button(
                                "Cancel",
                                id="profile-delete-cancel",
                                variant="default",
                                **{"data-autofocus": True},  # a stray Enter deletes nothing
                            ),
                            dmc.Button(
                                "Delete this person", id="profile-delete-confirm", color="red"
                            ),
                        ],
                        justify="flex-end",
                        mt="lg",
                    ),
                ],
                id="profile-delete-dialog",
                title=f"Delete {who}?",
                opened=False,
                closeButtonProps=close_button(),
            ),
            html.Div(id="profile-privacy-status", role="status", **{"aria-live": "polite"}),
        ],
        id="profile-privacy",
    )


@callback(
    Output("profile-export-download", "data"),
    Input("profile-export", "n_clicks"),
    State("profile-privacy-id", "data"),
    prevent_initial_call=True,
)
def download(_n, profile_id):
    with runtime().db.session() as s:
        doc = export_profile(s, account_id(), int(profile_id), _me())
    return {
        "content": json.dumps(doc, indent=2, ensure_ascii=False),
        "filename": f"profile-{profile_id}.json",
        "type": "application/json",
    }


@callback(
    Output("profile-delete-dialog", "opened"),
    Input("profile-delete", "n_clicks"),
    Input("profile-delete-cancel", "n_clicks"),
    prevent_initial_call=True,
)
def toggle_dialog(_open, _cancel):
    return ctx.triggered_id == "profile-delete"


@callback(
    Output("profile-privacy-nav", "href"),
    Output("profile-delete-dialog", "opened", allow_duplicate=True),
    Input("profile-delete-confirm", "n_clicks"),
    State("profile-privacy-id", "data"),
    prevent_initial_call=True,
)
def delete(_n, profile_id):
    """Erase, then leave for the profiles list (the page of a deleted person is gone)."""
    if not _n:
        return no_update, no_update
    with runtime().db.session() as s:
        erase_profile(s, account_id(), int(profile_id), _me())
    return f"/profiles?deleted={int(profile_id)}", False
