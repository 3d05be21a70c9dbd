"""Settings: one section a module in components/settings/, drawn in the order of SECTIONS.

To add a section: a module in components/settings/ with `section()` and its callbacks, one
import below and one entry in SECTIONS."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import html

from components.settings import (
    currency,
    keys,
    popups,
    predictions,
    privacy,
    sending,
    snippet,
    suppressions,
    timezone,
)

dash.register_page(
    __name__, path="/settings", name="Settings", title="Settings · Tally", icon="settings"
)

SECTIONS = [
    timezone,
    currency,
    keys,
    snippet,
    popups,
    predictions,
    sending,
    suppressions,
    privacy,
]


def layout(**_):
    return dmc.Stack(
        [html.H1("Settings", className="page-title"), *(s.section() for s in SECTIONS)],
        gap="lg",
        maw=1100,
    )
