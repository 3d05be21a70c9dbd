"""The campaigns list: a row per campaign with its status and headline rates."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import html

from components.format import ago, when

STATUS_COLORS = {
    "draft": "gray",
    "scheduled": "blue",
    "sending": "teal",
    "paused": "orange",
    "sent": "green",
    "cancelled": "red",
}


def pct(part: int | float, whole: int | float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def money(x: float) -> str:
    return f"${x:,.2f}"


def status_badge(status: str, id=None) -> dmc.Badge:
    kw = {"id": id} if id else {}
    return dmc.Badge(status, color=STATUS_COLORS.get(status, "gray"), variant="light", **kw)


def empty_state() -> dmc.Paper:
    return dmc.Paper(
        [
            html.H2("No campaigns yet", className="section-title"),
            html.P(
                "A campaign is one e-mail sent once to lists and segments — a sale, a "
                "newsletter, a launch. Start one with the New campaign button above: write it, "
                "pick who gets it, then send it now or schedule it.",
                className="muted",
            ),
        ],
        withBorder=True,
        p="lg",
        radius="md",
        id="campaigns-empty",
        maw=640,
    )


def _sent_cell(c: dict) -> html.Span:
    if c["status"] == "scheduled":
        return html.Span(f"for {when(c['send_at'])}")
    t = c.get("finished_at") or c.get("started_at") or c["updated_at"]
    return html.Span(ago(t), title=when(t))


def campaigns_table(campaigns: list[dict]):
    if not campaigns:
        return empty_state()
    head = html.Thead(
        html.Tr(
            [
                html.Th(h, scope="col")
                for h in ("Campaign", "Status", "Recipients", "Opens", "Clicks", "Revenue", "When")
            ]
        )
    )
    rows = []
    for c in campaigns:
        st = c["stats"]
        rows.append(
            html.Tr(
                [
                    html.Td(dmc.Anchor(c["name"], href=f"/campaigns/{c['id']}")),
                    html.Td(status_badge(c["status"])),
                    html.Td(f"{st['recipients']:,}", className="num"),
                    html.Td(pct(st["opened"], st["sent"]), className="num"),
                    html.Td(pct(st["clicked"], st["sent"]), className="num"),
                    html.Td(money(st["revenue"]), className="num"),
                    html.Td(_sent_cell(c), className="muted"),
                ],
                id=f"campaign-row-{c['id']}",
            )
        )
    return dmc.Table(
        [head, html.Tbody(rows)], id="campaigns-table", highlightOnHover=True, maw=1100
    )
