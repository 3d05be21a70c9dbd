"""Settings › Suppressions: who gets no marketing e-mail (unsubscribed, bounced,
complained) and why; search, add or lift one by hand with a reason, export as CSV."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from backend.email import suppressions
from backend.errors import Invalid, NotFound
from components.context import account_id, runtime
from components.format import ago, when

STATUS_COLOR = {"unsubscribed": "gray", "bounced": "orange", "complained": "red"}


def _emit(account: str, msgs: list[dict]) -> None:
    from backend.ingest import ingestor

    ingestor(runtime()).accept(account, msgs)


def _table(query: str = "") -> html.Div:
    with runtime().db.session() as s:
        found = suppressions.search(s, account_id(), query)
    if not found["rows"]:
        return dmc.Alert(
            "No suppressed address matches."
            if query
            else "Nobody is suppressed yet. Unsubscribes, hard bounces and spam complaints "
            "land here by themselves; add an address by hand below.",
            title="No suppressions",
            color="gray",
            id="suppressions-empty",
        )
    rows = [
        html.Tr(
            [
                html.Td(r["email"]),
                html.Td(
                    dmc.Badge(
                        r["status"], color=STATUS_COLOR.get(r["status"], "gray"), variant="light"
                    )
                ),
                html.Td(html.Span(ago(r["at"]), title=when(r["at"])) if r["at"] else "—"),
                html.Td(r["reason"] or "—"),
                html.Td(
                    dmc.Button(
                        "Lift",
                        id={"type": "suppression-lift", "index": r["id"]},
                        size="compact-sm",
                        variant="subtle",
                        **{"aria-label": f"Lift the suppression of {r['email']}"},
                    )
                ),
            ]
        )
        for r in found["rows"]
    ]
    head = html.Thead(
        html.Tr([html.Th(h, scope="col") for h in ("E-mail", "Status", "Since", "Why", "Action")])
    )
    return html.Div(
        [
            dmc.Table([head, html.Tbody(rows)], id="suppressions-table", striped=True),
            dmc.Text(
                f"{len(rows):,} of {found['total']:,} suppressed addresses",
                size="sm",
                c="dimmed",
                mt="xs",
            ),
        ]
    )


def section() -> dmc.Paper:
    return dmc.Paper(
        html.Section(
            [
                html.H2("Suppressions", className="section-title", id="settings-supp-title"),
                dmc.Text(
                    "Marketing e-mail from flows and campaigns never goes to these addresses; "
                    "the check is made at the moment of sending.",
                    size="sm",
                    c="dimmed",
                    mb="md",
                ),
                dmc.Group(
                    [
                        dmc.TextInput(
                            id="suppressions-search",
                            label="Search by e-mail",
                            placeholder="e.g. @example.com",
                            debounce=300,
                            w=300,
                        ),
                        dmc.Button("Export CSV", id="suppressions-export", variant="light"),
                        dcc.Download(id="suppressions-download"),
                    ],
                    align="flex-end",
                    mb="md",
                ),
                html.Div(_table(), id="suppressions-wrap"),
                html.H3(
                    "Suppress an address by hand",
                    className="section-title",
                    style={"marginTop": 24},
                ),
                dmc.Group(
                    [
                        dmc.TextInput(id="suppressions-add-email", label="E-mail", w=260),
                        dmc.TextInput(
                            id="suppressions-reason",
                            label="Reason",
                            description="Kept with the change; needed to add or lift",
                            w=300,
                        ),
                        dmc.Button("Suppress", id="suppressions-add"),
                    ],
                    align="flex-end",
                ),
                html.Div(
                    id="suppressions-status",
                    role="status",
                    className="notice",
                    **{"aria-live": "polite"},
                ),
            ],
            **{"aria-labelledby": "settings-supp-title"},
        ),
        p="lg",
        withBorder=True,
        radius="md",
    )


@callback(
    Output("suppressions-wrap", "children"),
    Output("suppressions-status", "children"),
    Input("suppressions-search", "value"),
    Input("suppressions-add", "n_clicks"),
    Input({"type": "suppression-lift", "index": ALL}, "n_clicks"),
    State("suppressions-add-email", "value"),
    State("suppressions-reason", "value"),
    prevent_initial_call=True,
)
def change(query, _add, lifts, email, reason):
    trigger = ctx.triggered_id
    message = no_update
    try:
        if trigger == "suppressions-add":
            with runtime().db.session() as s:
                row = suppressions.add(s, account_id(), email or "", reason or "", _emit)
            message = f"{row['email']} is suppressed."
        elif isinstance(trigger, dict) and trigger.get("type") == "suppression-lift":
            if not any(lifts):
                return no_update, no_update
            with runtime().db.session() as s:
                row = suppressions.remove(s, account_id(), int(trigger["index"]), reason or "")
            message = f"{row['email']} is no longer suppressed (it needs new consent to subscribe)."
    except (Invalid, NotFound) as exc:
        return no_update, dmc.Alert(exc.message, color="red", title="Nothing was changed")
    return _table(query or ""), message


@callback(
    Output("suppressions-download", "data"),
    Input("suppressions-export", "n_clicks"),
    prevent_initial_call=True,
)
def export(_n):
    with runtime().db.session() as s:
        text = suppressions.export_csv(s, account_id())
    return dcc.send_string(text, "suppressions.csv")
