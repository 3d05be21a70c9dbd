"""/api/segments through the Flask client, on events sent through /v1 (both stores)."""

from __future__ import annotations

from datetime import timedelta

from backend.store.db import utcnow


def order(shop, user, revenue, days_ago=0, country="US"):
    ts = (utcnow() - timedelta(days=days_ago)).isoformat() + "Z"
    shop.send(
        "track",
        {
            "userId": user,
            "event": "Placed Order",
            "timestamp": ts,
            "properties": {"revenue": revenue},
            "context": {"ip": "1.1.1.1", "location": {"country": country}},
        },
    )


def people(shop):
    for user, email, plan in (
        ("a", "a@x.test", "gold"),
        ("b", "b@x.test", "free"),
        ("c", None, "free"),
    ):
        traits = {"plan": plan, **({"email": email} if email else {})}
        shop.send("identify", {"userId": user, "traits": traits})
    order(shop, "a", 120, 5)
    order(shop, "a", 80, 40)
    order(shop, "b", 10, 100)
    shop.drain()


TWICE = {
    "type": "metric",
    "metric": "Placed Order",
    "measure": "count",
    "op": "gte",
    "value": 2,
    "days": 90,
}


def test_create_get_list_members_and_preview(shop):
    people(shop)
    c, h = shop.client, shop.h
    r = c.post("/api/segments", json={"name": "Repeat buyers", "conditions": [[TWICE]]}, headers=h)
    assert r.status_code == 201, r.json
    seg = r.json
    assert seg["count"] == 1 and seg["evaluated_at"] and seg["name"] == "Repeat buyers"
    assert c.get(f"/api/segments/{seg['id']}", headers=h).json["conditions"] == [[TWICE]]
    assert [x["id"] for x in c.get("/api/segments", headers=h).json["segments"]] == [seg["id"]]
    page = c.get(f"/api/segments/{seg['id']}/members", headers=h).json
    assert page["count"] == 1 and page["next"] is None
    assert page["members"][0]["email"] == "a@x.test" and page["members"][0]["external_id"] == "a"
    # Never ordered: b ordered 100 days ago, outside 90 days; c never.
    none = {**TWICE, "op": "eq", "value": 0}
    assert c.post("/api/segments/preview", json={"conditions": [[none]]}, headers=h).json == {
        "count": 2
    }
    # OR inside a group, AND across groups.
    gold = {"type": "property", "field": "traits.plan", "op": "eq", "value": "GOLD"}
    free = {**gold, "value": "free"}
    body = {"conditions": [[gold, free], [{"type": "property", "field": "email", "op": "exists"}]]}
    assert c.post("/api/segments/preview", json=body, headers=h).json == {"count": 2}
    spent = {**TWICE, "measure": "revenue", "op": "gt", "value": 150, "days": None}
    del spent["days"]
    assert c.post("/api/segments/preview", json={"conditions": [[spent]]}, headers=h).json == {
        "count": 1
    }


def test_members_are_paged_with_a_cursor(shop):
    for i in range(5):
        shop.send("identify", {"userId": f"u{i}", "traits": {"email": f"u{i}@x.test"}})
    shop.drain()
    c, h = shop.client, shop.h
    everyone = {"type": "property", "field": "email", "op": "contains", "value": "@x.test"}
    sid = c.post("/api/segments", json={"name": "All", "conditions": [[everyone]]}, headers=h).json[
        "id"
    ]
    seen, after = [], None
    while True:
        q = "?limit=2" + (f"&after={after}" if after else "")
        page = c.get(f"/api/segments/{sid}/members{q}", headers=h).json
        assert page["count"] == 5
        seen += [m["external_id"] for m in page["members"]]
        after = page["next"]
        if after is None:
            break
    assert sorted(seen) == [f"u{i}" for i in range(5)]
    r = c.get(f"/api/segments/{sid}/members?limit=0&after=x", headers=h)
    assert r.status_code == 400
    assert any(p.startswith("limit:") for p in r.json["problems"])
    assert any(p.startswith("after:") for p in r.json["problems"])


def test_problems_name_their_place_and_change_nothing(shop):
    people(shop)
    c, h = shop.client, shop.h
    bad = {
        "name": "",
        "conditions": [
            [TWICE],
            [{**TWICE, "metric": "Placd Order"}, {"type": "list", "list": "Nope"}],
            [{"type": "property", "field": "traits.x", "op": "between"}],
            [{"type": "email_status", "in": ["happy"]}],
        ],
    }
    r = c.post("/api/segments", json=bad, headers=h)
    assert r.status_code == 400
    problems = r.json["problems"]
    assert problems[0].startswith("name:")
    assert 'conditions[1][0].metric: no metric "Placd Order"' in problems
    assert 'conditions[1][1].list: no list "Nope"' in problems
    assert any(p.startswith("conditions[2][0].op:") for p in problems)
    assert any(p.startswith("conditions[3][0].in: unknown status 'happy'") for p in problems)
    assert c.get("/api/segments", headers=h).json["segments"] == []
    r = c.post(
        "/api/segments",
        json={"name": "x", "conditions": [[{**TWICE, "days": 0, "since": "2026-01-01"}]]},
        headers=h,
    )
    assert r.json["problems"] == ["conditions[0][0]: give at most one of days, since, between"]
    assert c.post("/api/segments/preview", json={"conditions": []}, headers=h).status_code == 400
    assert c.get("/api/segments/999", headers=h).status_code == 404


def test_segment_conditions_refuse_cycles_and_deleting_a_used_segment(shop):
    people(shop)
    c, h = shop.client, shop.h
    a = c.post("/api/segments", json={"name": "A", "conditions": [[TWICE]]}, headers=h).json
    b_body = {
        "name": "B",
        "conditions": [[{"type": "segment", "segment": a["id"], "member": False}]],
    }
    b = c.post("/api/segments", json=b_body, headers=h)
    assert b.status_code == 201 and b.json["count"] == 2
    b = b.json
    r = c.put(
        f"/api/segments/{a['id']}",
        json={"name": "A", "conditions": [[{"type": "segment", "segment": b["id"]}]]},
        headers=h,
    )
    assert r.status_code == 400
    assert r.json["problems"] == [
        f"conditions[0][0].segment: segment {b['id']} refers back to this one (a cycle)"
    ]
    r = c.delete(f"/api/segments/{a['id']}", headers=h)
    assert r.status_code == 409 and 'segment "B"' in r.json["error"]
    flow = {
        "name": "Welcome VIPs",
        "trigger": {"type": "segment", "segment": b["id"]},
        "filters": [],
        "start": None,
        "nodes": [],
    }
    assert c.post("/api/flows", json=flow, headers=h).status_code == 201
    r = c.delete(f"/api/segments/{b['id']}", headers=h)
    assert r.status_code == 409 and 'flow "Welcome VIPs"' in r.json["error"]
    assert c.get(f"/api/segments/{b['id']}", headers=h).status_code == 200
    # A flow that only splits on the segment uses it as much as one that triggers on it.
    splitter = {
        "name": "Gold split",
        "trigger": {"type": "metric", "metric": "Placed Order"},
        "filters": [],
        "start": "split",
        "nodes": [
            {
                "id": "split",
                "type": "split",
                "where": [{"segment": a["id"], "member": True}],
                "yes": None,
                "no": None,
            }
        ],
    }
    assert c.post("/api/flows", json=splitter, headers=h).status_code == 201
    r = c.put(
        f"/api/segments/{b['id']}",
        json={"name": "B", "conditions": [[TWICE]]},
        headers=h,
    )
    assert r.status_code == 200
    r = c.delete(f"/api/segments/{a['id']}", headers=h)
    assert r.status_code == 409 and 'flow "Gold split"' in r.json["error"]


def test_another_accounts_segment_is_not_found(shop, seg_app):
    from backend.accounts.service import create_account
    from backend.errors import NotFound
    from backend.segments.membership import member_ids

    people(shop)
    sid = shop.client.post(
        "/api/segments", json={"name": "A", "conditions": [[TWICE]]}, headers=shop.h
    ).json["id"]
    with shop.rt.db.session() as s:
        other = create_account(s, "Other")
        assert len(member_ids(s, shop.account.id, sid)) == 1
        try:
            member_ids(s, other.id, sid)
            raise AssertionError("expected NotFound")
        except NotFound:
            pass
    oh = {"Authorization": f"Bearer {other.private_key}"}
    assert shop.client.get(f"/api/segments/{sid}", headers=oh).status_code == 404
    assert shop.client.delete(f"/api/segments/{sid}", headers=oh).status_code == 404


def test_members_over_time_come_from_the_recorded_changes(shop):
    from backend.segments import service

    people(shop)
    c, h = shop.client, shop.h
    sid = c.post("/api/segments", json={"name": "A", "conditions": [[TWICE]]}, headers=h).json["id"]
    with shop.rt.db.session() as s:
        points = service.history(s, shop.account.id, sid, days=3)
    assert [n for _, n in points] == [0, 0, 1]  # joined today, on its first evaluation
    assert points[-1][0] == utcnow().date().isoformat()
