"""Joins through an import or the API reach list-triggered flows as a form's join does
(through ingestion, once per list and profile); a leave, which records no event, reaches
segments on list membership through a touch at the live watcher's next step."""

from __future__ import annotations

from sqlalchemy import func, select

from backend.ingest import ingestor
from backend.segments.live import Watcher
from backend.store.flow_models import FlowRun

FLOW = {
    "name": "Welcome",
    "trigger": {"type": "list", "list": "Newsletter"},
    "filters": [],
    "start": "tag",
    "nodes": [{"id": "tag", "type": "update_profile", "traits": {"welcomed": True}, "next": None}],
}


def _runs(shop) -> int:
    with shop.rt.db.session() as s:
        return s.scalar(select(func.count()).where(FlowRun.account_id == shop.account.id))


def test_imported_and_api_joins_start_a_list_triggered_flow_once(shop):
    lid = shop.new_list("Newsletter")
    fid = shop.api("POST", "/api/flows", 201, json=FLOW).json["id"]
    shop.api("POST", f"/api/flows/{fid}/activate", 200)
    shop.import_csv(lid, "email\na@x.test\nb@x.test\n")
    ingestor(shop.rt).drain()
    assert _runs(shop) == 2
    shop.import_csv(lid, "email\na@x.test\nb@x.test\n")  # a re-run: no one new
    shop.api("POST", f"/api/lists/{lid}/members", 200, json={"emails": ["c@x.test"]})
    ingestor(shop.rt).drain()
    assert _runs(shop) == 3


def test_a_leave_reaches_a_segment_on_the_list_at_the_next_step(shop):
    lid = shop.new_list("Newsletter")
    shop.api("POST", f"/api/lists/{lid}/members", 200, json={"emails": ["a@x.test", "b@x.test"]})
    seg = {"name": "Readers", "conditions": [[{"type": "list", "list": "Newsletter"}]]}
    sid = shop.api("POST", "/api/segments", 201, json=seg).json["id"]
    assert shop.api("GET", f"/api/segments/{sid}", 200).json["count"] == 2
    watcher = Watcher(shop.rt.db)
    watcher.step()  # its first step is a full pass; later ones only what changed
    shop.api("DELETE", f"/api/lists/{lid}/members", 200, json={"emails": ["a@x.test"]})
    assert watcher.step() >= 1
    members = shop.api("GET", f"/api/segments/{sid}/members", 200).json["members"]
    assert [m["email"] for m in members] == ["b@x.test"]
