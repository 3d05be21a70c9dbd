"""An import whose runner stopped (the process died between chunks) is resumed by the
jobs process from the row after its last committed chunk, and only once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from backend.lists import imports
from backend.store.db import utcnow
from backend.store.list_models import ListImport


def test_a_stalled_import_resumes_after_its_last_chunk(shop):
    lid = shop.new_list()
    data = b"email\nfirst@x.test\nsecond@x.test\nsecond@x.test\n"
    iid = imports.create(shop.rt, shop.account.id, lid, data, "people.csv", False)
    with shop.rt.db.session() as s:
        # As if a runner had committed its first chunk (one row) and then died.
        s.execute(
            update(ListImport)
            .where(ListImport.id == iid)
            .values(status="running", done=1, updated_at=utcnow() - timedelta(minutes=5))
        )
    assert imports.resume_stalled(shop.rt) == 1
    assert imports.resume_stalled(shop.rt) == 0  # done: nothing left to resume
    out = shop.api("GET", f"/api/lists/{lid}/imports/{iid}", 200).json
    assert (out["status"], out["done"], out["joined"]) == ("done", 3, 1)
    # Duplicates still count the rows before the resume point.
    assert out["rejected_rows"] == [
        {"row": 4, "email": "second@x.test", "reason": "duplicate of row 3"}
    ]
    emails = [m["email"] for m in shop.api("GET", f"/api/lists/{lid}/members", 200).json["members"]]
    assert emails == ["second@x.test"]  # the first row was the dead runner's to do


def test_a_running_import_is_not_taken_over(shop):
    lid = shop.new_list()
    iid = imports.create(shop.rt, shop.account.id, lid, b"email\na@x.test\n", "a.csv", False)
    with shop.rt.db.session() as s:
        s.execute(update(ListImport).where(ListImport.id == iid).values(status="running"))
    assert imports.resume_stalled(shop.rt) == 0
    with shop.rt.db.session() as s:
        assert s.scalar(select(ListImport.done).where(ListImport.id == iid)) == 0


def test_two_imports_of_one_file_at_once_both_finish(shop):
    """Both create the same profiles and members at the same moment: whichever loses a
    chunk's race runs it again and finds them."""
    lid = shop.new_list()
    text = "email\n" + "".join(f"p{i}@x.test\n" for i in range(3000))
    ids = [
        shop.api(
            "POST", f"/api/lists/{lid}/imports", 202, data=text.encode(), content_type="text/csv"
        ).json["id"]
        for _ in range(2)
    ]
    done = [shop.wait_import(lid, i) for i in ids]
    assert [d["status"] for d in done] == ["done", "done"], [d["error"] for d in done]
    assert sum(d["joined"] for d in done) == 3000
    assert sum(d["created"] for d in done) == 3000
    assert shop.api("GET", f"/api/lists/{lid}", 200).json["members"] == 3000
