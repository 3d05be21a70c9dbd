"""The live path: events sent through /v1 and stored, then the watcher's step moves the
profile into the segment, records the join, and a flow triggered on joining e-mails it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.flows.runner import flow_engine
from backend.segments.live import Watcher
from backend.store.db import utcnow
from backend.store.segment_models import SegmentChange
from tests.segments.conftest import make_shop
from tests.smtp import running_inbox


@pytest.fixture
def smtp_server():
    with running_inbox() as inbox:
        yield inbox


@pytest.fixture
def mail_app(tmp_path, db_url, smtp_server):
    from app import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(tmp_path, db_url, TALLY_SMTP_URL=smtp_server.url), ui=False)
    yield app
    app.extensions["tally"].close()


def test_a_join_is_recorded_and_starts_the_flow_on_joining(mail_app, smtp_server):
    shop = make_shop(mail_app)
    c, h = shop.client, shop.h
    shop.send("identify", {"userId": "ann", "traits": {"email": "ann@x.test"}})
    shop.send("track", {"userId": "bob", "event": "Placed Order", "properties": {"revenue": 5}})
    shop.drain()
    recent = {"type": "metric", "metric": "Placed Order", "op": "gte", "value": 1, "days": 30}
    seg = c.post("/api/segments", json={"name": "Buyers", "conditions": [[recent]]}, headers=h)
    sid = seg.json["id"]
    assert seg.json["count"] == 1
    flow = {
        "name": "Welcome buyers",
        "trigger": {"type": "segment", "segment": sid},
        "filters": [],
        "start": "hello",
        "nodes": [
            {
                "id": "hello",
                "type": "email",
                "subject": "Welcome, buyer",
                "body": "Hi",
                "next": None,
            }
        ],
    }
    fid = c.post("/api/flows", json=flow, headers=h).json["id"]
    assert c.post(f"/api/flows/{fid}/activate", headers=h).status_code == 200
    watcher = Watcher(shop.rt.db, full_every=timedelta(days=365))  # no safety net here
    watcher.step()  # starts: the watermark at the newest stored event
    shop.send("track", {"userId": "ann", "event": "Placed Order", "properties": {"revenue": 9}})
    shop.drain()
    assert watcher.step() == 1
    assert c.get(f"/api/segments/{sid}", headers=h).json["count"] == 2
    page = c.get(f"/api/segments/{sid}/members", headers=h).json
    assert sorted(m["external_id"] for m in page["members"]) == ["ann", "bob"]
    with shop.rt.db.session() as s:
        changes = s.execute(select(SegmentChange.joined).where(SegmentChange.segment_id == sid))
        assert sorted(changes.scalars()) == [True, True]
    flow_engine(shop.rt).run_until_idle()
    assert [str(m["To"]) for m in smtp_server.messages] == ["ann@x.test"]
    # 31 days on, both orders have left the window: both leave, no event needed.
    later = utcnow() + timedelta(days=31)
    assert watcher.step(later) == 2
    assert c.get(f"/api/segments/{sid}", headers=h).json["count"] == 0
