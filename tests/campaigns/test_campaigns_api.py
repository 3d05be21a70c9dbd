"""/api/campaigns on both stores: CRUD, states, bad input, isolation (docs/api.md)."""

from __future__ import annotations

from tests.campaigns.conftest import add_people, bearer, campaign_body


def test_crud_returns_the_documented_shape_with_status_and_stats(client, account, runtime):
    add_people(runtime, account.id, 3, "Newsletter")
    h = bearer(account)
    body = campaign_body(smart_sending_hours=0)
    r = client.post("/api/campaigns", json=body, headers=h)
    assert r.status_code == 201, r.json
    c = r.json
    assert {k: c[k] for k in body} == body
    assert c["status"] == "draft"
    assert set(c["stats"]) == {
        "recipients",
        "sent",
        "failed",
        "unknown",
        "suppressed",
        "skipped",
        "opened",
        "clicked",
        "unsubscribed",
        "bounced",
        "revenue",
    }
    cid = c["id"]
    r = client.put(f"/api/campaigns/{cid}", json={**body, "name": "BF 2026"}, headers=h)
    assert r.status_code == 200 and r.json["name"] == "BF 2026"
    assert [x["id"] for x in client.get("/api/campaigns", headers=h).json["campaigns"]] == [cid]
    assert client.get(f"/api/campaigns/{cid}", headers=h).json["smart_sending_hours"] == 0
    assert client.delete(f"/api/campaigns/{cid}", headers=h).status_code == 204
    assert client.get(f"/api/campaigns/{cid}", headers=h).status_code == 404


def test_bad_input_is_400_naming_the_field_and_stores_nothing(client, account, runtime):
    add_people(runtime, account.id, 1, "Newsletter")
    h = bearer(account)
    cases = {
        "subject": campaign_body(subject="  "),
        "body": campaign_body(body="Hi {{ first_name "),
        "audience.lists": campaign_body(audience={"lists": ["Nope"]}),
        "audience.segments": campaign_body(audience={"segments": [987654]}),
        "ab.subjects": campaign_body(
            ab={
                "subjects": ["only one"],
                "test_percent": 20,
                "pick_after_minutes": 60,
                "by": "opens",
            }
        ),
        "ab.by": campaign_body(
            ab={
                "subjects": ["a", "b"],
                "test_percent": 20,
                "pick_after_minutes": 60,
                "by": "revenue",
            }
        ),
        "smart_sending_hours": campaign_body(smart_sending_hours=-1),
    }
    for field, body in cases.items():
        r = client.post("/api/campaigns", json=body, headers=h)
        assert r.status_code == 400, field
        assert field in r.json["error"], (field, r.json)
    assert client.get("/api/campaigns", headers=h).json["campaigns"] == []


def test_sending_needs_an_audience(client, account):
    h = bearer(account)
    cid = client.post("/api/campaigns", json=campaign_body(audience={}), headers=h).json["id"]
    r = client.post(f"/api/campaigns/{cid}/send", json={}, headers=h)
    assert r.status_code == 400 and "audience" in r.json["error"]
    assert client.get(f"/api/campaigns/{cid}", headers=h).json["status"] == "draft"


def test_another_accounts_list_or_segment_is_404(client, account, make_account, runtime):
    other = make_account("Other shop", email="o@other.test")
    add_people(runtime, other.id, 1, "Their VIPs")
    from backend.store.segment_models import Segment

    with runtime.db.session() as s:
        seg = Segment(account_id=other.id, name="Theirs", definition={"conditions": []})
        s.add(seg)
        s.flush()
        seg_id = seg.id
    h = bearer(account)
    for audience in (
        {"lists": ["Their VIPs"]},
        {"segments": [seg_id]},
        {"lists": [], "exclude_segments": [seg_id]},
    ):
        r = client.post("/api/campaigns", json=campaign_body(audience=audience), headers=h)
        assert r.status_code == 404, audience
    cid = client.post("/api/campaigns", json=campaign_body(), headers=bearer(other))
    assert cid.status_code == 400  # "Newsletter" is nobody's list in that account
    mine = add_people(runtime, account.id, 1, "Newsletter")
    assert mine
    c = client.post("/api/campaigns", json=campaign_body(), headers=h).json
    assert client.get(f"/api/campaigns/{c['id']}", headers=bearer(other)).status_code == 404
    assert (
        client.post(f"/api/campaigns/{c['id']}/send", json={}, headers=bearer(other)).status_code
        == 404
    )


def test_schedule_cancel_edit_and_send_twice(client, account, runtime):
    add_people(runtime, account.id, 2, "Newsletter")
    h = bearer(account)
    with runtime.db.session() as s:
        from backend.accounts.timezones import set_timezone

        set_timezone(s, account.id, "America/New_York")
    c = client.post("/api/campaigns", json=campaign_body(), headers=h).json
    cid = c["id"]
    r = client.post(f"/api/campaigns/{cid}/send", json={"send_at": "2099-11-27T09:00"}, headers=h)
    assert r.status_code == 200, r.json
    # 09:00 in New York on that day is 14:00 UTC.
    assert r.json["status"] == "scheduled" and r.json["send_at"] == "2099-11-27T14:00:00Z"
    assert client.put(f"/api/campaigns/{cid}", json=campaign_body(), headers=h).status_code == 409
    assert client.post(f"/api/campaigns/{cid}/send", json={}, headers=h).status_code == 409
    assert client.post(f"/api/campaigns/{cid}/cancel", headers=h).json["status"] == "cancelled"
    assert client.post(f"/api/campaigns/{cid}/cancel", headers=h).status_code == 409
    # A cancelled campaign is a draft again once edited, and can be sent now.
    assert (
        client.put(f"/api/campaigns/{cid}", json=campaign_body(), headers=h).json["status"]
        == "draft"
    )
    r = client.post(f"/api/campaigns/{cid}/send", json={"send_at": "2001-01-01T00:00Z"}, headers=h)
    assert r.status_code == 400 and "send_at" in r.json["error"]
    assert (
        client.post(f"/api/campaigns/{cid}/send", json={}, headers=h).json["status"] == "scheduled"
    )
    assert client.post(f"/api/campaigns/{cid}/pause", headers=h).status_code == 409


def test_live_count_leaves_out_suppressed_and_exclusions(client, account, runtime):
    add_people(runtime, account.id, 5, "Newsletter")
    add_people(runtime, account.id, 2, "Newsletter", prefix="gone", status="unsubscribed")
    add_people(runtime, account.id, 1, "Newsletter", prefix="bounced", status="bounced")
    add_people(runtime, account.id, 3, "Staff", prefix="staff")
    ids = add_people(runtime, account.id, 2, "Newsletter", prefix="both")
    from backend.store.models import List, ListMember

    with runtime.db.session() as s:
        staff = s.query(List).filter_by(account_id=account.id, name="Staff").one()
        s.add_all(ListMember(list_id=staff.id, profile_id=pid) for pid in ids)
    h = bearer(account)
    r = client.post(
        "/api/campaigns/count",
        json={"audience": {"lists": ["Newsletter", "Staff"], "exclude_lists": ["Staff"]}},
        headers=h,
    )
    assert r.status_code == 200, r.json
    assert r.json == {"recipients": 5, "suppressed": 3, "skipped": 0, "sendable": 5}
    r = client.post("/api/campaigns/count", json={"audience": {"lists": ["Nope"]}}, headers=h)
    assert r.status_code == 400 and "audience.lists" in r.json["error"]


def test_preview_renders_for_a_chosen_profile(client, account, runtime):
    (pid,) = add_people(runtime, account.id, 1, "Newsletter", prefix="ada")
    r = client.post(
        "/api/campaigns/preview",
        json={**campaign_body(), "profile_id": pid},
        headers=bearer(account),
    )
    assert r.status_code == 200, r.json
    assert r.json["subject"] == "Hi Name0, 30% off today" and r.json["to"] == "ada0@example.com"
    assert "Hello Name0," in r.json["text"]
    bad = client.post(
        "/api/campaigns/preview", json=campaign_body(subject="{% if %}"), headers=bearer(account)
    )
    assert bad.status_code == 400 and "subject" in bad.json["error"]


def test_send_a_test_to_an_address(client, account, runtime, smtp):
    (pid,) = add_people(runtime, account.id, 1, "Newsletter", prefix="ada")
    h = bearer(account)
    r = client.post(
        "/api/campaigns/test",
        json={**campaign_body(), "profile_id": pid, "to": "me@acme.test"},
        headers=h,
    )
    assert r.status_code == 200, r.json
    (msg,) = smtp.handler.messages
    assert str(msg["To"]) == "me@acme.test"
    assert str(msg["Subject"]) == "[Test] Hi Name0, 30% off today"
    r = client.post("/api/campaigns/test", json={**campaign_body(), "to": "nope"}, headers=h)
    assert r.status_code == 400 and "to:" in r.json["error"]


def test_report_exports_as_csv_and_pdf(client, account, runtime):
    add_people(runtime, account.id, 2, "Newsletter")
    h = bearer(account)
    cid = client.post("/api/campaigns", json=campaign_body(), headers=h).json["id"]
    r = client.get(f"/api/campaigns/{cid}/export?format=csv", headers=h)
    assert r.status_code == 200 and r.content_type.startswith("text/csv")
    lines = r.data.decode().splitlines()
    assert lines[0] == "section,key,value" and "campaign,name,Black Friday" in lines
    assert "stats,recipients,0" in lines
    assert client.get(f"/api/campaigns/{cid}/export?format=xls", headers=h).status_code == 400
    pdf = client.get(f"/api/campaigns/{cid}/export?format=pdf", headers=h)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_odd_values_are_400_not_500(client, account, runtime):
    add_people(runtime, account.id, 1, "Newsletter")
    h = bearer(account)
    huge = campaign_body(audience={"segments": [2**70]})
    assert client.post("/api/campaigns", json=huge, headers=h).status_code == 400
    r = client.post("/api/campaigns/preview", json={"subject": ["x"], "body": "b"}, headers=h)
    assert r.status_code == 400 and "subject" in r.json["error"]
    r = client.post(
        "/api/campaigns/preview", json={**campaign_body(), "profile_id": 2**70}, headers=h
    )
    assert r.status_code == 400
    r = client.post(
        "/api/campaigns/count",
        json={"audience": {"lists": ["Newsletter"]}, "smart_sending_hours": 10**20},
        headers=h,
    )
    assert r.status_code == 400
    cid = client.post("/api/campaigns", json=campaign_body(), headers=h).json["id"]
    r = client.post(
        f"/api/campaigns/{cid}/send", json={"send_at": "0001-01-01T00:00+05:00"}, headers=h
    )
    assert r.status_code == 400 and "send_at" in r.json["error"]
