"""Growth and sources on both stores: joins and leaves counted by day in the account's time
zone and by where they came from (an import, the API, a form's join through lists.join)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from backend import lists
from backend.lists import growth
from backend.store.models import Profile


def test_joins_and_leaves_by_day_and_source(shop):
    lid = shop.new_list("Newsletter")
    shop.import_csv(lid, "email\na@x.test\nb@x.test\nc@x.test\n")
    shop.api("POST", f"/api/lists/{lid}/members", 200, json={"emails": ["d@x.test"]})
    shop.api("DELETE", f"/api/lists/{lid}/members", 200, json={"emails": ["a@x.test"]})
    with shop.rt.db.session() as s:
        p = s.scalar(
            select(Profile).where(
                Profile.account_id == shop.account.id, Profile.email == "d@x.test"
            )
        )
        other = Profile(account_id=shop.account.id, email="e@x.test", traits={})
        s.add(other)
        s.flush()
        lists.join(s, shop.account.id, "Newsletter", other, source="form:999")
        lists.join(s, shop.account.id, "Newsletter", p, source="form:999")  # already in
    with shop.rt.db.session() as s:
        o = growth.overview(s, shop.account.id, lid, "last_7_days")
    assert (o["joins"], o["leaves"]) == (5, 1)
    assert len(o["days"]) == 7 and sum(d["joins"] for d in o["days"]) == 5
    assert [(r["label"][:17], r["joins"], r["leaves"]) for r in o["sources"]] == [
        ('Import "import.cs', 3, 0),
        ("A deleted form", 1, 0),
        ("API", 1, 1),
    ]


def test_days_are_the_account_time_zones(shop):
    lid = shop.new_list()
    with shop.rt.db.session() as s:
        # 23:30 UTC on Dec 1 is Dec 2 in Tokyo, still Dec 1 in New York.
        growth.record(s, lid, "api", joins=2, at=datetime(2026, 12, 1, 23, 30))
    with shop.rt.db.session() as s:
        tokyo = growth.by_day(s, lid, date(2026, 12, 1), date(2026, 12, 2), "Asia/Tokyo")
        ny = growth.by_day(s, lid, date(2026, 12, 1), date(2026, 12, 2), "America/New_York")
    assert [d["joins"] for d in tokyo] == [0, 2]
    assert [d["joins"] for d in ny] == [2, 0]


def test_leaving_from_an_emails_unsubscribe_page_counts_as_a_leave(shop):
    from backend.email.tracking import Unsubscribe, leave_list

    lid = shop.new_list("Newsletter")
    shop.api("POST", f"/api/lists/{lid}/members", 200, json={"emails": ["a@x.test"]})
    pid = shop.api("GET", f"/api/lists/{lid}/members", 200).json["members"][0]["id"]
    u = Unsubscribe(shop.account.id, pid, {"flow": 1, "node": "n"}, "Newsletter")
    with shop.rt.db.session() as s:
        assert leave_list(s, u) is True
    with shop.rt.db.session() as s:
        assert leave_list(s, u) is False  # not a member any more: nothing counted
        o = growth.overview(s, shop.account.id, lid, "last_7_days")
    assert [(r["label"], r["joins"], r["leaves"]) for r in o["sources"]] == [
        ("API", 1, 0),
        ("Left from an e-mail's unsubscribe page", 0, 1),
    ]
