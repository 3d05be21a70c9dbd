"""/v1 over the Flask client, on SQLite and PostgreSQL: counted once, rejected whole."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import select

from backend.ingest import ingestor
from backend.store.models import Event, Profile, ProfileAlias
from tests.ingest.conftest import basic


def order(mid, revenue=10.0, user="u1", ip="81.2.69.142", **props):
    return {
        "type": "track",
        "userId": user,
        "event": "Placed Order",
        "messageId": mid,
        "properties": {"revenue": revenue, **props},
        "context": {"ip": ip},
    }


def test_track_counts_with_revenue_country_and_dimensions(client, auth, account, runtime, totals):
    r = client.post("/v1/track", json=order("m1", 19.5, utm_campaign="black-friday"), headers=auth)
    assert r.status_code == 200 and r.json == {"success": True}
    client.post("/v1/track", json=order("m2", 0.5, ip="8.8.8.8"), headers=auth)
    ingestor(runtime).drain()
    assert totals(account.id, "Placed Order") == {"": (2, 20.0)}
    assert totals(account.id, "Placed Order", "country") == {"GB": (1, 19.5), "US": (1, 0.5)}
    assert totals(account.id, "Placed Order", "utm_campaign") == {"black-friday": (1, 19.5)}


def test_duplicate_message_ids_count_once(client, auth, account, runtime, totals):
    for _ in range(3):
        client.post("/v1/batch", json={"batch": [order("dup"), order("dup")]}, headers=auth)
        ingestor(runtime).drain()
    assert totals(account.id, "Placed Order") == {"": (1, 10.0)}


def test_same_message_id_in_two_accounts_counts_for_each(client, make_account, runtime, totals):
    a, b = make_account("A"), make_account("B")
    client.post("/v1/track", json=order("same"), headers=basic(a.write_key))
    client.post("/v1/track", json=order("same"), headers=basic(b.write_key))
    ingestor(runtime).drain()
    assert totals(a.id, "Placed Order") == totals(b.id, "Placed Order") == {"": (1, 10.0)}


def test_a_rejected_batch_counts_nothing(client, auth, account, runtime, totals):
    r = client.post(
        "/v1/batch", json={"batch": [order("ok"), {"type": "track", "userId": "u"}]}, headers=auth
    )
    assert r.status_code == 400
    assert r.json["success"] is False and "batch[1].event" in r.json["error"]
    ingestor(runtime).drain()
    assert totals(account.id, "Placed Order") == {}


def test_size_limits_answer_413(client, auth, account, runtime, totals):
    big = order("big", note="x" * 33_000)
    r = client.post("/v1/track", json=big, headers=auth)
    assert r.status_code == 413 and "32 KB" in r.json["error"]
    body = orjson.dumps({"batch": [order(f"b{i}", note="x" * 20_000) for i in range(30)]})
    r = client.post("/v1/batch", data=body, headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 413 and "500 KB" in r.json["error"]
    ingestor(runtime).drain()
    assert totals(account.id, "Placed Order") == {}


def test_bad_credentials_are_401_json(client, account):
    for headers in (
        {},
        {"Authorization": "Basic !!!"},
        {"Authorization": "Bearer x"},
        basic("tw_nope"),
        basic(account.private_key),
        basic(account.public_key),
    ):
        r = client.post("/v1/track", json=order("x"), headers=headers)
        assert r.status_code == 401, headers
        assert r.json["success"] is False and r.json["error"]


def test_request_address_locates_when_context_has_no_ip(client, auth, account, runtime, totals):
    msg = {"type": "track", "anonymousId": "a1", "event": "Viewed Product", "messageId": "v1"}
    client.post("/v1/track", json=msg, headers=auth, environ_base={"REMOTE_ADDR": "81.2.69.142"})
    ingestor(runtime).drain()
    assert totals(account.id, "Viewed Product", "country") == {"GB": (1, 0.0)}
    with runtime.db.session() as s:
        assert s.scalar(select(Profile.country)) == "GB"


def test_identify_merges_the_anonymous_profile(client, auth, account, runtime):
    batch = [
        {"type": "page", "anonymousId": "anon-1", "messageId": "p1", "name": "Home"},
        {"type": "track", "anonymousId": "anon-1", "event": "Added to Cart", "messageId": "c1"},
    ]
    client.post("/v1/batch", json={"batch": batch}, headers=auth)
    ingestor(runtime).drain()
    client.post(
        "/v1/identify",
        json={
            "userId": "u-9",
            "anonymousId": "anon-1",
            "messageId": "i1",
            "traits": {"email": "Ada@Example.com", "first_name": "Ada"},
        },
        headers=auth,
    )
    client.post(
        "/v1/track",
        json={"userId": "u-9", "event": "Placed Order", "messageId": "o1"},
        headers=auth,
    )
    ingestor(runtime).drain()
    with runtime.db.session() as s:
        [p] = s.scalars(select(Profile).where(Profile.account_id == account.id)).all()
        assert (p.external_id, p.email, p.traits["first_name"]) == ("u-9", "ada@example.com", "Ada")
        assert {e.profile_id for e in s.scalars(select(Event))} == {p.id}
        assert (
            s.scalar(select(ProfileAlias.profile_id).where(ProfileAlias.anonymous_id == "anon-1"))
            == p.id
        )


def test_anonymous_profiles_merge_after_the_fact(client, auth, account, runtime):
    # The anonymous visitor browsed in an earlier pass; identify arrives later.
    client.post(
        "/v1/track",
        json={"anonymousId": "anon-2", "event": "Viewed Product", "messageId": "v"},
        headers=auth,
    )
    client.post("/v1/identify", json={"userId": "known", "messageId": "k"}, headers=auth)
    ingestor(runtime).drain()
    client.post(
        "/v1/identify",
        json={"userId": "known", "anonymousId": "anon-2", "messageId": "i"},
        headers=auth,
    )
    ingestor(runtime).drain()
    with runtime.db.session() as s:
        profiles = s.scalars(select(Profile).where(Profile.account_id == account.id)).all()
        assert len(profiles) == 1 and profiles[0].external_id == "known"
        assert s.scalar(select(Event.profile_id).where(Event.message_id == "v")) == profiles[0].id


def test_segment_import_alias_and_screen(client, auth, account, runtime, totals):
    client.post(
        "/v1/import",
        json={"batch": [{"type": "screen", "userId": "u", "name": "Cart", "messageId": "s1"}]},
        headers=auth,
    )
    ingestor(runtime).drain()
    assert totals(account.id, "Viewed Screen") == {"": (1, 0.0)}


def at(hour: int, minute: int, **message) -> dict:
    """A message at 2026-11-20 hour:minute UTC."""
    return {"timestamp": f"2026-11-20T{hour:02d}:{minute:02d}:00Z", **message}


def test_one_pass_with_repeats_merges_and_spans(client, auth, account, runtime):
    """Within one aggregator pass: repeated identities, a merge midway, and later messages
    by the merged-away anonymous id all land on one profile with the right seen-span."""
    batch = [
        at(
            10,
            30,
            type="track",
            anonymousId="a-7",
            event="Viewed Product",
            messageId="e1",
            context={"ip": "81.2.69.142"},
        ),  # GB
        at(10, 10, type="track", anonymousId="a-7", event="Viewed Product", messageId="e2"),
        at(
            10,
            40,
            type="identify",
            userId="u-7",
            anonymousId="a-7",
            messageId="e3",
            traits={"email": "Bo@Example.com"},
        ),
        at(
            10,
            50,
            type="track",
            anonymousId="a-7",
            event="Added to Cart",
            messageId="e4",
            context={"ip": "8.8.8.8"},
        ),  # US, latest
        at(
            10,
            20,
            type="track",
            anonymousId="a-7",
            event="Viewed Product",
            messageId="e5",
            context={"ip": "81.2.69.142"},
        ),  # GB, older
        at(10, 45, type="track", userId="u-7", event="Placed Order", messageId="e6"),
        at(10, 5, type="track", anonymousId="a-8", event="Viewed Product", messageId="e7"),
    ]
    assert client.post("/v1/batch", json={"batch": batch}, headers=auth).status_code == 200
    ingestor(runtime).drain()
    with runtime.db.session() as s:
        profiles = s.scalars(select(Profile).where(Profile.account_id == account.id)).all()
        by_uid = {p.external_id: p for p in profiles}
        p = by_uid["u-7"]
        assert len(profiles) == 2 and p.email == "bo@example.com"
        assert (p.first_seen.minute, p.last_seen.minute, p.country) == (10, 50, "US")
        owners = dict(s.execute(select(Event.message_id, Event.profile_id)).all())
        assert {owners[f"e{i}"] for i in range(1, 7)} == {p.id}
        assert owners["e7"] == by_uid[None].id and by_uid[None].first_seen.minute == 5


def test_merges_with_profiles_first_seen_in_the_same_pass(client, auth, account, runtime):
    """New profiles are inserted in bulk at the end of a pass; a merge in mid-pass must still
    move everything: into a new profile (which then keeps changing), from a new one, and
    between two new ones."""
    earlier = [
        at(11, 1, type="track", anonymousId="old-anon", event="Viewed Product", messageId="o1"),
        at(11, 2, type="identify", userId="old-known", messageId="o2"),
    ]
    assert client.post("/v1/batch", json={"batch": earlier}, headers=auth).status_code == 200
    ingestor(runtime).drain()
    batch = [
        # 1. into a new profile: "new-u" is first seen here; "old-anon" is stored.
        at(11, 10, type="track", userId="new-u", event="Added to Cart", messageId="n1"),
        at(
            11,
            11,
            type="identify",
            userId="new-u",
            anonymousId="old-anon",
            messageId="n2",
            traits={"email": "Nu@Example.com"},
        ),
        at(
            11,
            30,
            type="track",
            userId="new-u",
            event="Placed Order",
            messageId="n3",
            context={"ip": "8.8.8.8"},
        ),
        # 2. from a new profile into a stored one.
        at(11, 12, type="track", anonymousId="new-anon", event="Viewed Product", messageId="m1"),
        at(11, 13, type="identify", userId="old-known", anonymousId="new-anon", messageId="m2"),
        # 3. between two profiles both first seen here.
        at(11, 14, type="track", anonymousId="fresh-anon", event="Viewed Product", messageId="f1"),
        at(11, 15, type="track", userId="fresh-u", event="Viewed Product", messageId="f2"),
        at(11, 16, type="identify", userId="fresh-u", anonymousId="fresh-anon", messageId="f3"),
    ]
    assert client.post("/v1/batch", json={"batch": batch}, headers=auth).status_code == 200
    ingestor(runtime).drain()
    with runtime.db.session() as s:
        profiles = s.scalars(select(Profile).where(Profile.account_id == account.id)).all()
        by_uid = {p.external_id: p for p in profiles}
        assert sorted(by_uid, key=str) == ["fresh-u", "new-u", "old-known"]
        owners = dict(s.execute(select(Event.message_id, Event.profile_id)).all())
        aliases = dict(s.execute(select(ProfileAlias.anonymous_id, ProfileAlias.profile_id)).all())
        new_u = by_uid["new-u"]
        assert {owners[m] for m in ("o1", "n1", "n2", "n3")} == {new_u.id}
        assert aliases["old-anon"] == new_u.id and new_u.email == "nu@example.com"
        # Its seen-span moved after the merge too (it was a stored profile by then).
        assert (new_u.first_seen.minute, new_u.last_seen.minute, new_u.country) == (1, 30, "US")
        known = by_uid["old-known"]
        assert {owners[m] for m in ("o2", "m1", "m2")} == {known.id}
        assert aliases["new-anon"] == known.id and known.first_seen.minute == 2
        fresh = by_uid["fresh-u"]
        assert {owners[m] for m in ("f1", "f2", "f3")} == {fresh.id}
        assert aliases["fresh-anon"] == fresh.id
        assert (fresh.first_seen.minute, fresh.last_seen.minute) == (14, 16)


def test_healthz_is_503_saying_why_when_the_database_does_not_answer(client, runtime, monkeypatch):
    from backend.store.db import Database

    down = Database("postgresql+psycopg://tally:pw@127.0.0.1:1/tally")  # nothing listens on 1
    monkeypatch.setattr(runtime, "db", down)
    r = client.get("/healthz")
    assert r.status_code == 503 and r.get_json()["ok"] is False
    assert r.get_json()["database"].startswith(
        "cannot connect to the database at postgresql+psycopg://tally:***@127.0.0.1:1/tally"
    )
    down.dispose()


def test_healthz_reports_the_spool_backlog(client, auth, runtime):
    assert client.get("/healthz").get_json()["spool"] == {
        "bytes": 0,
        "segments": 0,
        "oldest_seconds": 0,
        "unstored": {"bytes": 0, "oldest_seconds": 0},
    }
    msg = {"type": "track", "userId": "u", "event": "E", "messageId": "b1"}
    assert client.post("/v1/track", json=msg, headers=auth).status_code == 200
    spool = client.get("/healthz").get_json()["spool"]
    assert spool["bytes"] > 0 and spool["segments"] == 1 and 0 <= spool["oldest_seconds"] < 60
    assert spool["unstored"]["bytes"] == spool["bytes"]
    ing = ingestor(runtime)
    if ing.counting is not None:  # SQLite: counted first, stored after
        ing.counting.run_pass()
        spool = client.get("/healthz").get_json()["spool"]
        assert spool["bytes"] == 0 and spool["oldest_seconds"] == 0
        assert spool["unstored"]["bytes"] > 0 and 0 <= spool["unstored"]["oldest_seconds"] < 60
    ing.drain()
    spool = client.get("/healthz").get_json()["spool"]
    assert spool["bytes"] == 0 and spool["unstored"]["bytes"] == 0


@pytest.mark.parametrize("path", ["/v1", "forms, flows and the seeder"])
def test_healthz_tells_how_long_the_oldest_uncounted_event_waited(
    path, client, auth, account, runtime, monkeypatch
):
    import time
    from types import SimpleNamespace

    from backend.ingest import backlog

    msg = {"type": "track", "userId": "u", "event": "E", "messageId": "w1"}
    if path == "/v1":
        assert client.post("/v1/track", json=msg, headers=auth).status_code == 200
    else:  # already-normalised messages, as forms, flows and `tally seed` spool them
        ingestor(runtime).accept(account.id, [msg])
    # The backlog's clock only: the time module is shared by the whole process.
    monkeypatch.setattr(backlog, "time", SimpleNamespace(time=lambda: time.time() + 120))
    assert 119 <= client.get("/healthz").get_json()["spool"]["oldest_seconds"] < 180
    ingestor(runtime).drain()
    assert client.get("/healthz").get_json()["spool"]["oldest_seconds"] == 0


def test_visitor_address_comes_from_a_trusted_proxy_only(tmp_path, sqlite_url):
    """Behind one proxy (TALLY_PROXY_HOPS=1) the visitor's address is the last
    X-Forwarded-For entry; without the setting the header is ignored (it can be forged)."""
    from app import create_app
    from backend.accounts.service import create_account
    from tests.conftest import make_settings

    countries = {}
    for hops in ("0", "1"):
        flask_app = create_app(
            make_settings(
                tmp_path / hops, sqlite_url.replace("tally", f"tally{hops}"), TALLY_PROXY_HOPS=hops
            ),
            ui=False,
        )
        rt = flask_app.extensions["tally"]
        with rt.db.session() as s:
            acc = create_account(s, "Proxied")
        msg = {"type": "track", "userId": "u", "event": "Viewed Product", "messageId": "x"}
        r = flask_app.test_client().post(
            "/v1/track",
            json=msg,
            headers={**basic(acc.write_key), "X-Forwarded-For": "8.8.8.8, 81.2.69.142"},
            environ_base={"REMOTE_ADDR": "10.0.0.2"},
        )
        assert r.status_code == 200
        ingestor(rt).drain()
        with rt.db.session() as s:
            countries[hops] = s.scalar(select(Event.country))
        rt.close()
    assert countries == {"0": None, "1": "GB"}


def test_a_full_disk_answers_503_accepts_nothing_and_the_retry_counts_once(
    client, auth, runtime, totals, account, failing_disk
):
    failing_disk("error")  # the request's one spool write
    batch = {
        "batch": [
            {"type": "track", "userId": "u", "event": "Disk Test", "messageId": f"d{i}"}
            for i in range(3)
        ]
    }
    resp = client.post("/v1/batch", json=batch, headers=auth)
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "5"
    body = resp.get_json()
    assert body["success"] is False and "No space left on device" in body["error"]
    assert "retry later" in body["error"]
    ingestor(runtime).drain()
    assert totals(account.id, "Disk Test") == {}
    for _ in range(2):  # the SDK's retry, sent twice: same messageIds, counted once
        assert client.post("/v1/batch", json=batch, headers=auth).status_code == 200
    ingestor(runtime).drain()
    assert totals(account.id, "Disk Test") == {"": (3, 0.0)}


def test_a_pass_of_interleaved_profiles_keeps_each_timeline_in_order(
    client, auth, account, runtime
):
    # The aggregator inserts a pass's events grouped by profile (for the index's sake): each
    # profile's timeline must still read newest first, same-time ties newest-arrived first.
    at = ["2026-11-20T10:00:00Z", "2026-11-20T09:00:00Z", "2026-11-20T11:00:00Z"]
    batch = []
    for i in range(30):
        user = ("u-a", "u-b", "u-c")[i % 3]
        batch.append(
            {
                "type": "track",
                "userId": user,
                "event": f"Step {99 - i:02d}",
                "messageId": f"m{i}",
                "timestamp": at[(i // 3) % 3] if i < 27 else "2026-11-20T11:00:00Z",
            }
        )
    assert client.post("/v1/batch", json={"batch": batch}, headers=auth).status_code == 200
    ingestor(runtime).drain()
    key = {"Authorization": f"Bearer {account.private_key}"}
    for user in ("u-a", "u-b", "u-c"):
        with runtime.db.session() as s:
            pid = s.scalar(
                select(Profile.id).where(
                    Profile.account_id == account.id, Profile.external_id == user
                )
            )
        events = client.get(f"/api/profiles/{pid}", headers=key).get_json()["events"]
        sent = [m for m in batch if m["userId"] == user]
        # newest first; among equal times the one sent later first (Python's sort is stable)
        expected = sorted(reversed(sent), key=lambda m: m["timestamp"], reverse=True)
        assert [e["id"] for e in events] == [m["messageId"] for m in expected], user


def test_while_the_database_does_not_answer_requests_get_a_503_to_retry(
    client, auth, account, runtime, monkeypatch
):
    """A real refused connection (nothing listens on port 1): it was a 500 "internal
    error"; a 503 with Retry-After tells SDKs and scripts to retry, and nothing is spooled."""
    from backend.ingest import spool
    from backend.store.db import Database

    down = Database("postgresql+psycopg://tally:pw@127.0.0.1:1/tally")
    monkeypatch.setattr(runtime, "db", down)
    r = client.post("/v1/track", json={"userId": "u", "event": "E", "messageId": "m"}, headers=auth)
    assert r.status_code == 503 and r.headers["Retry-After"] == "5"
    assert r.get_json() == {
        "success": False,
        "error": "the database is not answering; nothing was changed: retry in a few seconds",
    }
    r = client.get("/api/account", headers={"Authorization": f"Bearer {account.private_key}"})
    assert r.status_code == 503 and "retry" in r.get_json()["error"]
    assert sum(seg.stat().st_size for seg in spool.segments(runtime.settings.spool_dir)) == 0
    down.dispose()
