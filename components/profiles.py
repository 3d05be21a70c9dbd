"""Profiles: the searchable list and one profile's card and timeline (data -> components)."""

from __future__ import annotations

import json

import dash_mantine_components as dmc
from dash import dcc, html

from backend.dashboards.countries import name as country_name
from components.dashboard.numbers import full
from components.format import ago, when
from components.predictions.profile_card import predictions_card

PAGE_SIZE = 25
INTERNAL = {"$identify": "Identified", "$alias": "Aliased", "$group": "Joined a group"}


def _name(p: dict) -> str:
    t = p.get("traits") or {}
    full = " ".join(str(t[k]) for k in ("first_name", "last_name") if t.get(k))
    return full or t.get("name") or p.get("email") or p.get("user_id") or f"Anonymous #{p['id']}"


def person_label(p: dict) -> str:
    """How a dialog names the person: "Ada Lovelace (ada@example.com)", or the address."""
    name, email = _name(p), p.get("email")
    return f"{name} ({email})" if email and name != email else name


def empty(search: str) -> dmc.Alert:
    """Nothing found for a search, or nothing at all yet: each says what to do next."""
    if search.strip():
        return dmc.Alert(
            f"Nothing matches “{search.strip()}”. Search by part of an e-mail address or a "
            "user id, or clear the search to see everyone.",
            title="No profile matches",
            color="gray",
            id="profiles-empty",
        )
    return dmc.Alert(
        [
            "Profiles appear when events arrive: send an identify or track call from your "
            "server, or add the storefront snippet. ",
            dcc.Link("Home shows how", href="/"),
            ".",
        ],
        title="No profiles yet",
        color="gray",
        id="profiles-empty",
    )


def profiles_table(page: dict, search: str = "") -> html.Div:
    rows = page["profiles"]
    if not rows:
        return empty(search)
    body = [
        html.Tr(
            [
                html.Td(dcc.Link(_name(p), href=f"/profiles/{p['id']}", className="profile-link")),
                html.Td(p.get("email") or "—"),
                html.Td(_country(p.get("country"))),
                html.Td(html.Span(ago(p["first_seen"]), title=when(p["first_seen"]))),
                html.Td(html.Span(ago(p["last_seen"]), title=when(p["last_seen"]))),
            ],
            className="profile-row",
        )
        for p in rows
    ]
    head = html.Thead(
        html.Tr(
            [
                html.Th(h, scope="col")
                for h in ("Name", "E-mail", "Country", "First seen", "Last seen")
            ]
        )
    )
    first, last = page["offset"] + 1, page["offset"] + len(rows)
    return html.Div(
        [
            dmc.Table(
                [head, html.Tbody(body)], striped=True, highlightOnHover=True, id="profiles-table"
            ),
            dmc.Text(
                f"{first:,}–{last:,} of {page['total']:,} profiles",
                size="sm",
                c="dimmed",
                mt="xs",
                id="profiles-count",
            ),
        ]
    )


def _country(code: str | None) -> str:
    """ "United Kingdom (GB)": people read the name; the code is what filters and the API use."""
    return f"{country_name(code)} ({code})" if code else "—"


def _value(v) -> str:
    return str(v) if not isinstance(v, dict | list) else json.dumps(v)[:200]


def profile_card(p: dict) -> dmc.Stack:
    traits = p.get("traits") or {}
    trait_rows = [
        html.Tr([html.Th(k, scope="row"), html.Td(_value(v))]) for k, v in sorted(traits.items())
    ]
    facts = dmc.SimpleGrid(
        [
            _fact("E-mail", p.get("email") or "—"),
            _fact("User id", p.get("user_id") or "—"),
            _fact("Country", _country(p.get("country"))),
            _fact("First seen", ago(p["first_seen"]), when(p["first_seen"])),
            _fact("Last seen", ago(p["last_seen"]), when(p["last_seen"])),
            _fact("Lists", ", ".join(p.get("lists") or []) or "none"),
            _fact(
                "Marketing e-mail",
                (p.get("email_status") or "never_subscribed").replace("_", " "),
                p.get("email_status_reason") or None,
            ),
        ],
        cols={"base": 2, "md": 3},
    )
    return dmc.Stack(
        [
            html.H1(_name(p), className="page-title", id="profile-name"),
            dmc.Paper(facts, p="lg", withBorder=True, radius="md"),
            predictions_card(p.get("predictions")),
            dmc.Paper(
                [
                    html.H2("Traits", className="section-title"),
                    dmc.Table(html.Tbody(trait_rows), id="profile-traits")
                    if trait_rows
                    else dmc.Text("No traits yet: identify calls set them.", size="sm", c="dimmed"),
                ],
                p="lg",
                withBorder=True,
                radius="md",
            ),
            dmc.Paper(
                [
                    html.H2("Recent activity", className="section-title"),
                    timeline(p.get("events") or []),
                ],
                p="lg",
                withBorder=True,
                radius="md",
            ),
        ],
        gap="lg",
        maw=1100,
    )


def _fact(label: str, value: str, title: str | None = None) -> html.Div:
    return html.Div(
        [
            dmc.Text(label, size="xs", c="dimmed", tt="uppercase", fw=600),
            html.Div(value, title=title or "", className="fact-value"),
        ]
    )


def timeline(events: list[dict]) -> html.Div:
    if not events:
        return dmc.Text("No events yet.", size="sm", c="dimmed")
    items = []
    for e in events:
        metric = INTERNAL.get(e["metric"], e["metric"])
        extra = []
        if e.get("revenue"):
            extra.append(full(e["revenue"], money=True))
        props = {
            k: v for k, v in (e.get("properties") or {}).items() if k not in ("revenue", "value")
        }
        if props:
            extra.append(", ".join(f"{k}: {_value(v)}" for k, v in list(props.items())[:4]))
        items.append(
            dmc.TimelineItem(
                dmc.Text(" · ".join(extra), size="sm", c="dimmed") if extra else None,
                title=html.Span(
                    [metric, html.Span(f"  {ago(e['ts'])}", className="muted", title=when(e["ts"]))]
                ),
            )
        )
    return dmc.Timeline(items, active=len(items), bulletSize=14, lineWidth=2, id="profile-timeline")
