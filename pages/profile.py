"""One profile: who they are, their traits and lists, and their recent activity."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import dcc

from backend.analytics.profiles import get_profile
from components.context import account_id, runtime
from components.privacy import privacy_actions
from components.profiles import person_label, profile_card

dash.register_page(
    __name__,
    path_template="/profiles/<profile_id>",
    name="Profile",
    title="Profile · Tally",
    nav=False,
)


def layout(profile_id: str = "", **_):
    profile = None
    if profile_id.isdigit():
        with runtime().db.session() as s:
            profile = get_profile(s, account_id(), int(profile_id))
    back = dcc.Link("← All profiles", href="/profiles", id="profile-back")
    if profile is None:
        return dmc.Stack(
            [
                back,
                dmc.Alert(
                    "There is no such profile in this account.",
                    title="Profile not found",
                    color="red",
                    id="profile-missing",
                ),
            ]
        )
    actions = privacy_actions(profile["id"], person_label(profile))
    top = dmc.Group([back, actions], justify="space-between", wrap="wrap")
    return dmc.Stack([top, profile_card(profile)], gap="sm")
