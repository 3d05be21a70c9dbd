"""Profiles: search everyone Tally has seen, newest activity first."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import Input, Output, State, callback, dcc, html

from backend.analytics.profiles import list_profiles
from backend.segments import service as segments_service
from components.context import account_id, runtime
from components.profiles import PAGE_SIZE, profiles_table

dash.register_page(
    __name__, path="/profiles", name="Profiles", title="Profiles · Tally", icon="user"
)


def _page(search: str, page: int, segment: str | None = None) -> dict:
    with runtime().db.session() as s:
        return list_profiles(
            s,
            account_id(),
            search=search or "",
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
            segment_id=int(segment) if segment and segment.isdigit() else None,
        )


def _segment_options() -> list[dict]:
    with runtime().db.session() as s:
        return [
            {"value": str(x.id), "label": x.name}
            for x in segments_service.list_segments(s, account_id())
        ]


def layout(q: str = "", segment: str = "", **_):
    data = _page(q, 1, segment)
    return dmc.Stack(
        [
            html.H1("Profiles", className="page-title"),
            dmc.Group(
                [
                    dmc.TextInput(
                        id="profiles-search",
                        label="Search",
                        value=q,
                        debounce=400,
                        placeholder="e-mail or user id",
                        w=360,
                    ),
                    dmc.Select(
                        id="profiles-segment",
                        label="In segment",
                        data=_segment_options(),
                        value=segment or None,
                        placeholder="Everyone",
                        clearable=True,
                        w=240,
                    ),
                ],
                align="flex-end",
            ),
            html.Div(
                profiles_table(data, q),
                id="profiles-results",
                role="region",
                **{"aria-live": "polite", "aria-label": "Profiles found"},
            ),
            dmc.Pagination(
                id="profiles-pages",
                total=max(1, -(-data["total"] // PAGE_SIZE)),
                value=1,
                hideWithOnePage=True,
                **{"aria-label": "Pages of profiles"},
            ),
            dcc.Store(id="profiles-total", data=data["total"]),
        ],
        gap="md",
        maw=1100,
    )


@callback(
    Output("profiles-results", "children"),
    Output("profiles-pages", "total"),
    Output("profiles-pages", "value"),
    Input("profiles-search", "value"),
    Input("profiles-pages", "value"),
    Input("profiles-segment", "value"),
    State("profiles-pages", "value"),
    prevent_initial_call=True,
)
def refresh(search, page, segment, _current):
    trigger = dash.ctx.triggered_id
    page = 1 if trigger in ("profiles-search", "profiles-segment") else (page or 1)
    data = _page(search, page, segment)
    return profiles_table(data, search or ""), max(1, -(-data["total"] // PAGE_SIZE)), page
