"""A campaign while it sends and after: a progress bar (sent of total, rate, time left),
pause / resume / cancel, then the report: recipients, delivered, bounces, human and machine
opens, clicks per link, unsubscribes, complaints, revenue, each variant, and over time."""

from __future__ import annotations

import dash_mantine_components as dmc
import plotly.graph_objects as go
from dash import Input, Output, State, callback, ctx, dcc, html

from backend.campaigns import report as reports
from backend.campaigns import service
from backend.errors import TallyError
from backend.store.db import utcnow
from components.campaigns.list_view import money, pct, status_badge
from components.context import account_id, runtime

LIVE = ("scheduled", "sending", "paused")


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h} h {m} min" if h else (f"{m} min {s} s" if m else f"{s} s")


def _stat(label: str, value: str, sub: str = "") -> dmc.Paper:
    return dmc.Paper(
        [
            dmc.Text(label, size="sm", c="dimmed"),
            html.Div(value, className="big-number"),
            dmc.Text(sub, size="xs", c="dimmed"),
        ],
        withBorder=True,
        p="sm",
        radius="md",
    )


def _progress(r: dict) -> list:
    p = r["progress"]
    share = 100 * p["done"] / p["total"] if p["total"] else 0
    return [
        dmc.Progress(
            value=share, size="lg", id="cmp-progress-bar", **{"aria-label": "Sending progress"}
        ),
        dmc.Text(
            f"{p['sent']:,} sent of {p['total']:,} · {p['rate']:,.0f} a second · "
            f"time left {_duration(p['seconds_left'])}",
            id="cmp-progress-text",
            size="sm",
        ),
    ]


def _body(r: dict) -> list:
    st = r["stats"]
    cards = dmc.SimpleGrid(
        [
            _stat(
                "Recipients",
                f"{st['recipients']:,}",
                f"{st['skipped']:,} skipped, {st['suppressed']:,} suppressed",
            ),
            _stat(
                "Delivered",
                f"{r['delivered']:,}",
                f"{st['failed']:,} failed, {st['unknown']:,} unknown",
            ),
            _stat("Bounced", f"{st['bounced']:,}", pct(st["bounced"], st["sent"])),
            _stat(
                "Opened",
                f"{st['opened']:,}",
                f"{pct(st['opened'], st['sent'])} · {r['machine_opened']:,} machine opens",
            ),
            _stat("Clicked", f"{st['clicked']:,}", pct(st["clicked"], st["sent"])),
            _stat("Unsubscribed", f"{st['unsubscribed']:,}", f"{r['complained']:,} complaints"),
            _stat("Revenue", money(st["revenue"]), "Placed Order within 5 days of a click or open"),
        ],
        cols={"base": 2, "md": 4},
        id="cmp-stats",
    )
    out = [cards]
    if r["variants"]:
        out.append(html.H2("Subjects tested", className="section-title"))
        out.append(
            dmc.Table(
                [
                    html.Thead(
                        html.Tr(
                            [
                                html.Th(h, scope="col")
                                for h in ("Variant", "Subject", "Sent", "Open rate", "Click rate")
                            ]
                        )
                    ),
                    html.Tbody(
                        [
                            html.Tr(
                                [
                                    html.Td(
                                        v["variant"]
                                        + (" (winner)" if v["variant"] == r["winner"] else "")
                                    ),
                                    html.Td(v["subject"]),
                                    html.Td(f"{v['sent']:,}", className="num"),
                                    html.Td(f"{100 * v['open_rate']:.1f}%", className="num"),
                                    html.Td(f"{100 * v['click_rate']:.1f}%", className="num"),
                                ]
                            )
                            for v in r["variants"]
                        ]
                    ),
                ],
                id="cmp-variants",
            )
        )
    if r["links"]:
        out.append(html.H2("Clicks per link", className="section-title"))
        out.append(
            dmc.Table(
                [
                    html.Thead(
                        html.Tr([html.Th(h, scope="col") for h in ("Link", "Clicks", "People")])
                    ),
                    html.Tbody(
                        [
                            html.Tr(
                                [
                                    html.Td(x["url"]),
                                    html.Td(f"{x['clicks']:,}", className="num"),
                                    html.Td(f"{x['people']:,}", className="num"),
                                ]
                            )
                            for x in r["links"]
                        ]
                    ),
                ],
                id="cmp-links",
            )
        )
    if r["over_time"]:
        ts = [p["t"] for p in r["over_time"]]
        fig = go.Figure(
            [
                go.Scatter(x=ts, y=[p["opened"] for p in r["over_time"]], name="Opens"),
                go.Scatter(x=ts, y=[p["clicked"] for p in r["over_time"]], name="Clicks"),
            ]
        )
        fig.update_layout(
            height=280, margin={"l": 40, "r": 10, "t": 10, "b": 30}, template="plotly_white"
        )
        out.append(html.H2("Over time (hourly)", className="section-title"))
        out.append(dcc.Graph(figure=fig, config={"displayModeBar": False}, id="cmp-over-time"))
    return out


def report_view(c: dict, r: dict):
    return dmc.Stack(
        [
            dcc.Interval(id="cmp-tick", interval=2000, disabled=c["status"] not in LIVE),
            html.Div(id="cmp-error", children=_error(r)),
            dmc.Group(
                [
                    dmc.Button("Pause", id="cmp-pause", variant="light", color="orange"),
                    dmc.Button("Resume", id="cmp-resume", variant="light"),
                    dmc.Button("Cancel sending", id="cmp-cancel", variant="light", color="red"),
                ],
                id="cmp-controls",
                style={} if c["status"] in LIVE else {"display": "none"},
            ),
            dmc.Group(
                [
                    dmc.Anchor(
                        f"Export {fmt.upper()}",
                        href=f"/campaigns/{c['id']}/export?format={fmt}",
                        id=f"cmp-export-{fmt}",
                        size="sm",
                    )
                    for fmt in ("csv", "pdf")
                ]
            ),
            html.Div(_progress(r), id="cmp-progress"),
            html.Div(_body(r), id="cmp-report"),
        ],
        maw=1100,
    )


def _error(r: dict):
    return dmc.Alert(r["error"], color="orange", title="Paused") if r.get("error") else None


@callback(
    Output("cmp-status", "children"),
    Output("cmp-progress", "children"),
    Output("cmp-report", "children"),
    Output("cmp-error", "children"),
    Output("cmp-tick", "disabled"),
    Input("cmp-tick", "n_intervals"),
    Input("cmp-pause", "n_clicks"),
    Input("cmp-resume", "n_clicks"),
    Input("cmp-cancel", "n_clicks"),
    State("cmp-id", "data"),
    prevent_initial_call=True,
)
def refresh(_n, _p, _r, _c, cid):
    action = {
        "cmp-pause": service.pause,
        "cmp-resume": service.resume,
        "cmp-cancel": service.cancel,
    }.get(ctx.triggered_id)
    with runtime().db.session() as s:
        if action is not None:
            try:
                action(s, account_id(), cid)
            except TallyError:
                pass  # the sender moved on meanwhile: the refreshed state says where it is
        c = service.get(s, account_id(), cid)
        r = reports.report(s, c, utcnow())
    return (status_badge(c.status), _progress(r), _body(r), _error(r), c.status not in LIVE)
