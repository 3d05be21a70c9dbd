"""The demo store's campaigns: Black Friday sent with a report, a draft ready to send."""

from __future__ import annotations

import pytest

from backend.campaigns import service
from backend.demo.campaigns import create_demo_campaigns
from backend.demo.seed import seed
from backend.demo.segments import create_demo_segments
from backend.ingest import ingestor
from backend.store.db import utcnow
from tests.campaigns.conftest import bearer


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the demo store is SQLite
def test_black_friday_has_a_report_and_the_draft_sends(client, account, runtime, smtp, make_sender):
    # 120 days, so "At-risk customers" (ordered, but not in the last 60 days) has members
    # whatever the date: 30 days of 3,000 events left both Black Friday segments empty.
    seed(runtime, account.id, events=6000, days=120, progress=False)
    create_demo_segments(runtime, account.id)
    bf, draft = create_demo_campaigns(runtime, account.id)
    assert create_demo_campaigns(runtime, account.id) == []  # once
    ingestor(runtime).drain()
    h = bearer(account)
    c = client.get(f"/api/campaigns/{bf}", headers=h).json
    assert c["status"] == "sent" and c["stats"]["sent"] > 0
    assert c["stats"]["opened"] > 0
    d = client.get(f"/api/campaigns/{draft}", headers=h).json
    assert d["status"] == "draft" and d["audience"]["segments"]
    n = client.post("/api/campaigns/count", json={"audience": d["audience"]}, headers=h).json
    with runtime.db.session() as s:
        service.send(s, account.id, draft, {}, utcnow())
    make_sender().run_until_idle()
    assert len(smtp.handler.messages) == n["sendable"] > 0
