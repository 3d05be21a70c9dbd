"""One campaign: the editor while it is a draft, then its progress and report."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import dcc, html
from sqlalchemy import select

from backend.accounts.timezones import get_timezone
from backend.campaigns import report, service
from backend.errors import NotFound
from backend.store.db import utcnow
from backend.store.models import List
from backend.store.segment_models import Segment
from components.campaigns.editor import editor
from components.campaigns.list_view import status_badge
from components.campaigns.report import report_view
from components.context import account_id, runtime

dash.register_page(
    __name__, path_template="/campaigns/<campaign_id>", title="Campaign · Tally", nav=False
)


def layout(campaign_id: str = "", **_):
    acc = account_id()
    with runtime().db.session() as s:
        try:
            c = service.get(s, acc, int(campaign_id))
        except (NotFound, ValueError):
            return html.Div(
                [
                    html.H1("No such campaign", className="page-title"),
                    dmc.Anchor("Back to campaigns", href="/campaigns"),
                ]
            )
        data = service.to_json(s, c)
        if c.status in service.EDITABLE:
            lists = list(
                s.scalars(select(List.name).where(List.account_id == acc).order_by(List.name))
            )
            segs = s.execute(
                select(Segment.id, Segment.name)
                .where(Segment.account_id == acc)
                .order_by(Segment.name)
            ).all()
            body = editor(data, lists, [(i, n) for i, n in segs], get_timezone(s, acc))
        else:
            body = report_view(data, report.report(s, c, utcnow()))
    return dmc.Stack(
        [
            dcc.Store(id="cmp-id", data=c.id),
            dcc.Location(id="cmp-go", refresh=True),
            dmc.Anchor("← Campaigns", href="/campaigns", size="sm"),
            dmc.Group(
                [
                    html.H1(data["name"], className="page-title"),
                    html.Span(status_badge(data["status"]), id="cmp-status"),
                ]
            ),
            body,
        ]
    )
