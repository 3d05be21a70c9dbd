"""CSV imports through /api/lists/<id>/imports on both stores: rejected rows with their
row numbers and reasons, consent, an idempotent re-run, the joins' events reaching
ingestion once, and the streamed export."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from backend.ingest import ingestor
from backend.lists import members
from backend.store.models import Event, Profile, ProfileAlias

CSV = """email,first_name,last_name,phone,plan
ada@shop.test,Ada,Lovelace,+44 20 7946 0000,gold
not-an-address,Bad,Row,,
BOB@Shop.test,Bob,,,
ada@shop.test,Ada,Again,,
gone@shop.test,Gone,,,
,No,Email,,
long@shop.test,{long},,,
"""


def _file(**kw) -> str:
    return CSV.format(long="x" * 300, **kw)


def _unsubscribed(shop, email: str) -> None:
    shop.client.post(
        f"/api/lists/{shop.new_list('Seed')}/members", headers=shop.h, json={"emails": [email]}
    )
    with shop.rt.db.session() as s:
        mine = Profile.account_id == shop.account.id
        s.scalar(select(Profile).where(mine, Profile.email == email)).email_status = "unsubscribed"


def test_import_reports_rejected_rows_and_subscribes_with_consent(shop):
    _unsubscribed(shop, "gone@shop.test")
    lid = shop.new_list()
    out = shop.import_csv(lid, _file(), consent=True)
    assert out["status"] == "done" and out["total"] == 7 and out["done"] == 7
    assert (out["joined"], out["existing"], out["created"], out["rejected"]) == (2, 0, 2, 5)
    assert out["rejected_rows"] == [
        {"row": 3, "email": "not-an-address", "reason": "not an e-mail address"},
        {"row": 5, "email": "ada@shop.test", "reason": "duplicate of row 2"},
        {"row": 6, "email": "gone@shop.test", "reason": "suppressed: unsubscribed"},
        {"row": 7, "email": "", "reason": "no e-mail address"},
        {
            "row": 8,
            "email": "long@shop.test",
            "reason": "too long: first_name is over 255 characters",
        },
    ]
    with shop.rt.db.session() as s:
        mine = Profile.account_id == shop.account.id
        people = {p.email: p for p in s.scalars(select(Profile).where(mine))}
        assert people["ada@shop.test"].traits == {
            "email": "ada@shop.test",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "phone": "+44 20 7946 0000",
            "plan": "gold",
        }
        assert people["bob@shop.test"].email_status == "subscribed"
        assert people["gone@shop.test"].email_status == "unsubscribed"
        assert "long@shop.test" not in people
    rejected = shop.api("GET", f"/api/lists/{lid}/imports/{out['id']}/rejected.csv", 200)
    rows = list(csv.reader(io.StringIO(rejected.get_data(as_text=True))))
    assert rows[0] == ["row", "email", "reason"] and [r[0] for r in rows[1:]] == list("35678")


def test_a_rerun_of_the_same_file_changes_nothing(shop):
    lid = shop.new_list()
    first = shop.import_csv(lid, _file())
    mine = select(Profile).where(Profile.account_id == shop.account.id).order_by(Profile.id)
    with shop.rt.db.session() as s:
        before = [(p.id, p.traits, p.email_status, p.last_seen) for p in s.scalars(mine)]
    again = shop.import_csv(lid, _file())
    assert (again["joined"], again["existing"], again["created"]) == (0, first["joined"], 0)
    assert again["rejected"] == first["rejected"]
    with shop.rt.db.session() as s:
        after = [(p.id, p.traits, p.email_status, p.last_seen) for p in s.scalars(mine)]
    assert after == before
    assert shop.api("GET", f"/api/lists/{lid}", 200).json["members"] == first["joined"]


def test_joins_reach_ingestion_once_as_subscribed_to_list(shop):
    lid = shop.new_list("Newsletter")
    shop.import_csv(lid, "email\na@x.test\nb@x.test\n")
    shop.import_csv(lid, "email\na@x.test\nb@x.test\nc@x.test\n")
    shop.api("POST", f"/api/lists/{lid}/members", 200, json={"emails": ["c@x.test", "d@x.test"]})
    ingestor(shop.rt).drain()
    with shop.rt.db.session() as s:
        rows = s.execute(
            select(Profile.email, Event.properties)
            .join(Profile, Profile.id == Event.profile_id)
            .where(Event.account_id == shop.account.id, Event.metric == "Subscribed to List")
            .order_by(Profile.email)
        ).all()
        # The events resolved to the imported profiles: no new anonymous profile.
        count = select(func.count())
        assert s.scalar(count.where(Profile.account_id == shop.account.id)) == 4
        assert s.scalar(count.where(ProfileAlias.account_id == shop.account.id)) == 4
    assert [(e, p["list"], p["source"]) for e, p in rows] == [
        ("a@x.test", "Newsletter", "import"),
        ("b@x.test", "Newsletter", "import"),
        ("c@x.test", "Newsletter", "import"),
        ("d@x.test", "Newsletter", "api"),
    ]


def test_a_bad_file_is_refused_naming_what_is_wrong(shop):
    lid = shop.new_list()
    for body, problem in (
        (b"", "file: is empty; its first row names the columns (email, first_name, ...)"),
        (b"name,phone\nAda,1\n", "columns: no email column; the first row must name one (email)"),
        (b"email\n", "file: has no rows after the header"),
        (b"email,Email\na@x.test,b\n", 'columns: "Email" appears twice'),
        (
            "email\né@x.test\n".encode("latin-1"),
            "file: must be UTF-8 text (in a spreadsheet: save as CSV UTF-8)",
        ),
    ):
        r = shop.api("POST", f"/api/lists/{lid}/imports", 400, data=body)
        assert r.json["problems"] == [problem]
    r = shop.api("POST", f"/api/lists/{lid}/imports?consent=maybe", 400, data=b"email\na@x.test\n")
    assert r.json["problems"] == ["consent: must be true or false"]


def test_multipart_upload_and_semicolons(shop):
    lid = shop.new_list()
    data = {
        "file": (io.BytesIO(b"Email;First name\nzoe@x.test;Zoe\n"), "people.csv"),
        "consent": "false",
    }
    r = shop.api(
        "POST", f"/api/lists/{lid}/imports", 202, data=data, content_type="multipart/form-data"
    )
    out = shop.wait_import(lid, r.json["id"])
    assert out["filename"] == "people.csv" and out["joined"] == 1
    page = shop.api("GET", f"/api/lists/{lid}/members", 200).json
    assert page["members"][0]["first_name"] == "Zoe"


def test_export_streams_every_member(shop, monkeypatch):
    monkeypatch.setattr(members, "EXPORT_PAGE", 3)  # several pages from a few members
    lid = shop.new_list()
    emails = [f"p{i:02d}@x.test" for i in range(10)]
    shop.api("POST", f"/api/lists/{lid}/members", 200, json={"emails": emails})
    r = shop.api("GET", f"/api/lists/{lid}/export.csv", 200)
    assert r.is_streamed and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [row["email"] for row in rows] == emails
    assert all(row["email_status"] == "never_subscribed" and row["joined_at"] for row in rows)
