"""Export and erase through the API on both databases: a person with a row in every table
that holds profile data; the neighbour's rows, the counters' totals and the audit stay."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from backend.privacy import tables
from backend.store.models import Profile
from backend.store.privacy_models import ErasedAddress, PrivacyAudit, address_hash
from tests.privacy.conftest import ADDRESS, NEIGHBOUR, bearer

SERIES = "/api/metrics/Placed Order/series?interval=day"


def rows_about(runtime, pid: int) -> dict[str, int]:
    with runtime.db.session() as s:
        out = {
            t.name: s.scalar(select(func.count()).select_from(t).where(t.c.profile_id == pid))
            for t in tables.profile_tables()
        }
        runs = tables.table("flow_runs")
        for t in tables.run_tables():
            run_ids = select(runs.c.id).where(runs.c.profile_id == pid)
            out[t.name] = s.scalar(
                select(func.count()).select_from(t).where(t.c.run_id.in_(run_ids))
            )
        out["profiles"] = s.scalar(select(func.count()).where(Profile.id == pid))
        return out


def test_the_export_holds_a_row_of_every_table_about_the_person_and_nothing_else(client, people):
    r = client.get(f"/api/profiles/{people.pid}/export", headers=bearer(people.account))
    assert r.status_code == 200, r.json
    assert r.headers["Content-Disposition"] == (f'attachment; filename="profile-{people.pid}.json"')
    doc = r.json
    assert doc["profile"]["email"] == ADDRESS and doc["profile"]["traits"]["first_name"] == "u-ada"
    assert [a["anonymous_id"] for a in doc["aliases"]] == ["anon-u-ada"]
    assert sorted(e["metric"] for e in doc["events"]) == [
        "$identify",
        "Placed Order",
        "Viewed Page",
    ]
    assert doc["list_memberships"][0]["list_name"] == "Newsletter"
    assert doc["segment_memberships"][0]["segment_name"] == "Buyers"
    assert doc["segment_changes"][0]["joined"] is True
    assert doc["email_bounces"][0]["status"] == "4.2.2"
    (run,) = doc["flow_enrolments"]
    assert run["flow_name"] == "Thanks"
    assert sorted(j["node_id"] for j in run["flow_jobs"]) == ["mail", "wait"]
    assert [(m["node_id"], m["state"]) for m in doc["flow_sends"]] == [("mail", "sent")]
    assert run["flow_actions"][0]["outcome"] == "entered"
    assert doc["campaign_recipients"][0]["campaign_name"] == "Black Friday"
    assert doc["predictions"]["predicted_clv"] == 80.0
    assert len(doc["form_submissions"]) == 2  # the one without the profile's id as well
    assert doc["email_status"]["status"] == "subscribed"
    # Every table that holds profile rows has its section: a new table cannot be forgotten.
    for t in tables.profile_tables():
        assert doc[tables.SECTIONS.get(t.name, t.name)], t.name
    assert NEIGHBOUR not in json.dumps(doc) and "u-bob" not in json.dumps(doc)


def test_delete_erases_every_row_keeps_the_neighbour_and_the_counters(client, runtime, people):
    h = bearer(people.account)
    before = client.get(SERIES, headers=h).json
    assert sum(p["count"] for x in before["series"] for p in x["points"]) == 2  # both orders
    assert all(n for n in rows_about(runtime, people.pid).values())
    neighbour = rows_about(runtime, people.other)
    r = client.delete(f"/api/profiles/{people.pid}", headers=h)
    assert r.status_code == 204 and r.data == b""
    assert set(rows_about(runtime, people.pid).values()) == {0}
    assert rows_about(runtime, people.other) == neighbour
    assert client.get(f"/api/profiles/{people.pid}", headers=h).status_code == 404
    assert client.get(f"/api/profiles/{people.pid}/export", headers=h).status_code == 404
    assert client.delete(f"/api/profiles/{people.pid}", headers=h).status_code == 404
    assert client.get(SERIES, headers=h).json == before  # counters hold no personal data
    with runtime.db.session() as s:
        from backend.store.form_models import FormSubmission
        from backend.store.segment_models import Segment

        assert s.scalar(select(func.count()).where(FormSubmission.email == ADDRESS)) == 0
        assert s.get(Segment, people.segment_id).count == 1
        hashes = s.scalars(select(ErasedAddress.address_hash)).all()
        assert hashes == [address_hash(people.account.id, ADDRESS)]
        kept = json.dumps(
            [(a.actor, a.detail, a.actor_id) for a in s.scalars(select(PrivacyAudit))]
        )
    assert ADDRESS not in kept and "ada" not in kept


def test_another_accounts_profile_is_not_found_and_nothing_changes(
    client, runtime, people, make_account
):
    stranger = make_account("Other shop", email="other@shop.test")
    before = rows_about(runtime, people.pid)
    for method, path in (
        ("get", f"/api/profiles/{people.pid}/export"),
        ("delete", f"/api/profiles/{people.pid}"),
    ):
        r = getattr(client, method)(path, headers=bearer(stranger))
        assert r.status_code == 404 and "no profile" in r.json["error"]
    assert rows_about(runtime, people.pid) == before
    assert client.get("/api/audit", headers=bearer(stranger)).json == {"entries": []}
    assert client.delete(f"/api/profiles/{people.pid}").status_code == 401


def test_the_audit_names_who_and_when_never_the_address(client, people):
    h = bearer(people.account)
    client.get(f"/api/profiles/{people.pid}/export", headers=h)
    client.delete(f"/api/profiles/{people.pid}", headers=h)
    entries = client.get("/api/audit", headers=h).json["entries"]
    assert [(e["action"], e["profile_id"]) for e in entries] == [
        ("delete", people.pid),
        ("export", people.pid),
    ]
    actor = entries[0]["actor"]
    assert actor["kind"] == "api_key" and actor["name"].startswith("default (tk_")
    assert people.account.private_key not in json.dumps(entries)
    assert entries[0]["detail"]["deleted"]["events"] == 3
    assert entries[0]["at"].endswith("Z")
    assert ADDRESS not in json.dumps(entries)
