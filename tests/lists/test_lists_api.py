"""/api/lists through the Flask client on both stores: create, rename, delete (409 while
used), members by cursor, add and remove by e-mail or profile id, another account's list."""

from __future__ import annotations

from sqlalchemy import select

from backend.store.models import Profile
from tests.lists.conftest import Shop


def test_create_rename_list_and_refuse_duplicates(shop):
    lid = shop.new_list("Newsletter")
    assert shop.api("GET", "/api/lists", 200).json["lists"] == [
        {**shop.api("GET", f"/api/lists/{lid}", 200).json}
    ]
    r = shop.api("POST", "/api/lists", 409, json={"name": "Newsletter"})
    assert "Newsletter" in r.json["error"]
    r = shop.api("POST", "/api/lists", 400, json={"name": "  "})
    assert r.json["problems"] == ["name: must be a non-empty text"]
    r = shop.api("PUT", f"/api/lists/{lid}", 200, json={"name": "Weekly news"})
    assert r.json["name"] == "Weekly news" and r.json["members"] == 0
    shop.new_list("VIP")
    shop.api("PUT", f"/api/lists/{lid}", 409, json={"name": "VIP"})


def test_delete_is_refused_naming_what_uses_the_list(shop):
    lid = shop.new_list("Newsletter")
    flow = {
        "name": "Welcome",
        "trigger": {"type": "list", "list": "Newsletter"},
        "filters": [],
        "start": None,
        "nodes": [],
    }
    fid = shop.api("POST", "/api/flows", 201, json=flow).json["id"]
    seg = {"name": "Readers", "conditions": [[{"type": "list", "list": "Newsletter"}]]}
    sid = shop.api("POST", "/api/segments", 201, json=seg).json["id"]
    r = shop.api("DELETE", f"/api/lists/{lid}", 409)
    assert r.json["used_by"] == ['flow "Welcome"', 'segment "Readers"']
    shop.api("PUT", f"/api/lists/{lid}", 409, json={"name": "Other"})
    shop.api("DELETE", f"/api/flows/{fid}", 204)
    shop.api("DELETE", f"/api/segments/{sid}", 204)
    shop.api("DELETE", f"/api/lists/{lid}", 204)
    shop.api("GET", f"/api/lists/{lid}", 404)


def test_add_members_by_email_and_id_then_page_and_remove(shop):
    lid = shop.new_list()
    emails = [f"p{i}@shop.test" for i in range(5)]
    r = shop.api("POST", f"/api/lists/{lid}/members", 200, json={"emails": emails})
    assert r.json == {"added": 5, "already": 0, "skipped": [], "count": 5}
    again = shop.api("POST", f"/api/lists/{lid}/members", 200, json={"emails": emails[:2]})
    assert again.json["added"] == 0 and again.json["already"] == 2
    first = shop.api("GET", f"/api/lists/{lid}/members?limit=2", 200).json
    assert first["count"] == 5 and len(first["members"]) == 2 and first["next"]
    second = shop.api("GET", f"/api/lists/{lid}/members?limit=2&cursor={first['next']}", 200)
    seen = [m["email"] for m in first["members"] + second.json["members"]]
    assert seen == emails[:4]
    ids = [m["id"] for m in first["members"]]
    r = shop.api("DELETE", f"/api/lists/{lid}/members", 200, json={"profile_ids": ids})
    assert r.json == {"removed": 2, "count": 3}
    r = shop.api("DELETE", f"/api/lists/{lid}/members", 200, json={"emails": [emails[4]]})
    assert r.json == {"removed": 1, "count": 2}
    r = shop.api("POST", f"/api/lists/{lid}/members", 200, json={"profile_ids": ids})
    assert r.json["added"] == 2 and r.json["count"] == 4


def test_bad_input_names_the_field_and_changes_nothing(shop):
    lid = shop.new_list()
    r = shop.api("POST", f"/api/lists/{lid}/members", 400, json={"emails": ["ok@x.test", "nope"]})
    assert r.json["problems"] == ["emails[1]: not an e-mail address"]
    r = shop.api("POST", f"/api/lists/{lid}/members", 400, json={"profile_ids": [99999]})
    assert r.json["problems"] == ["profile_ids[0]: no profile 99999"]
    r = shop.api(
        "POST", f"/api/lists/{lid}/members", 400, json={"emails": ["a@x.test"], "consent": "yes"}
    )
    assert r.json["problems"] == ["consent: must be true or false"]
    r = shop.api("GET", f"/api/lists/{lid}/members?limit=0", 400)
    assert "limit" in r.json["error"]
    r = shop.api("GET", f"/api/lists/{lid}/members?cursor=abc", 400)
    assert r.json["problems"] == ["cursor: must be the cursor from a previous page's next"]
    assert shop.api("GET", f"/api/lists/{lid}", 200).json["members"] == 0


def test_consent_subscribes_never_subscribed_but_never_the_unsubscribed(shop):
    lid = shop.new_list()
    shop.api("POST", f"/api/lists/{lid}/members", 200, json={"emails": ["gone@x.test"]})
    with shop.rt.db.session() as s:
        mine = Profile.account_id == shop.account.id
        p = s.scalar(select(Profile).where(mine, Profile.email == "gone@x.test"))
        p.email_status = "unsubscribed"
    other = shop.new_list("VIP")
    r = shop.api(
        "POST",
        f"/api/lists/{other}/members",
        200,
        json={"emails": ["new@x.test", "gone@x.test"], "consent": True},
    )
    assert r.json["added"] == 1
    assert r.json["skipped"] == [{"email": "gone@x.test", "reason": "suppressed: unsubscribed"}]
    with shop.rt.db.session() as s:
        statuses = dict(s.execute(select(Profile.email, Profile.email_status).where(mine)).all())
    assert statuses == {"new@x.test": "subscribed", "gone@x.test": "unsubscribed"}


def test_another_accounts_list_is_not_found(shop, lists_app):
    lid = shop.new_list()
    shop.api("POST", f"/api/lists/{lid}/members", 200, json={"emails": ["a@x.test"]})
    iid = shop.import_csv(lid, "email\nb@x.test\n")["id"]
    other = Shop(lists_app, "Other")
    own = other.new_list()
    r = other.api("GET", f"/api/lists/{own}/imports/{iid}", 404)  # its list, not its import
    assert r.json["error"] == f"no import {iid} of list {own} in this account"
    for method, path, kw in (
        ("GET", f"/api/lists/{lid}", {}),
        ("PUT", f"/api/lists/{lid}", {"json": {"name": "Mine"}}),
        ("DELETE", f"/api/lists/{lid}", {}),
        ("GET", f"/api/lists/{lid}/members", {}),
        ("POST", f"/api/lists/{lid}/members", {"json": {"emails": ["b@x.test"]}}),
        ("DELETE", f"/api/lists/{lid}/members", {"json": {"emails": ["a@x.test"]}}),
        ("GET", f"/api/lists/{lid}/export.csv", {}),
        ("POST", f"/api/lists/{lid}/imports", {"data": b"email\na@x.test\n"}),
        ("GET", f"/api/lists/{lid}/imports/{iid}", {}),
        ("GET", f"/api/lists/{lid}/imports/{iid}/rejected.csv", {}),
    ):
        r = other.api(method, path, **kw)
        assert r.status_code == 404, (method, path, r.status_code)
        assert "no list" in r.json["error"]
    assert [x["id"] for x in other.api("GET", "/api/lists", 200).json["lists"]] == [own]
    assert shop.api("GET", f"/api/lists/{lid}", 200).json["members"] == 2


def test_duplicate_copies_the_members(shop):
    from backend.lists import service

    lid = shop.new_list("VIP")
    shop.api("POST", f"/api/lists/{lid}/members", 200, json={"emails": ["a@x.test", "b@x.test"]})
    with shop.rt.db.session() as s:
        copy = service.duplicate(s, shop.account.id, lid)
        again = service.duplicate(s, shop.account.id, lid)
        names = (copy.name, again.name)
        copy_id = copy.id
    assert names == ("VIP copy", "VIP copy 2")
    page = shop.api("GET", f"/api/lists/{copy_id}/members", 200).json
    assert [m["email"] for m in page["members"]] == ["a@x.test", "b@x.test"]
