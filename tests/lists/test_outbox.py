"""A list join's "Subscribed to List" event is never lost nor counted twice: it is written
to the outbox with the membership, spooled after the commit, and re-spooled by the jobs
process's sweep when its writer failed or died. A leave and a rejoin is a new event."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from backend.ingest import ingestor
from backend.lists import outbox
from backend.store.flow_models import FlowRun
from backend.store.list_models import ListOutbox
from backend.store.models import Event, Profile

NOW = timedelta(0)  # sweep everything at once: no waiting for rows to age


def _joins(shop, email: str) -> int:
    """'Subscribed to List' events stored for this address (after draining ingestion)."""
    ingestor(shop.rt).drain()
    with shop.rt.db.session() as s:
        return s.scalar(
            select(func.count())
            .select_from(Event)
            .join(Profile, Profile.id == Event.profile_id)
            .where(
                Event.account_id == shop.account.id,
                Event.metric == "Subscribed to List",
                Profile.email == email,
            )
        )


def _left(shop) -> int:
    with shop.rt.db.session() as s:
        return s.scalar(
            select(func.count())
            .select_from(ListOutbox)
            .where(ListOutbox.account_id == shop.account.id)
        )


@pytest.mark.parametrize("lost", ["before", "after"])
def test_a_join_whose_spool_failed_is_spooled_by_the_sweep_once(shop, monkeypatch, lost):
    """The first spool raises: before ingestion took the messages (nothing spooled), or
    after (spooled, but its writer never heard so): either way one event in the end."""
    lid = shop.new_list()
    ing = ingestor(shop.rt)
    real, calls = ing.accept, []

    def flaky(account_id, messages, ip=None):
        calls.append(len(messages))
        if len(calls) == 1:
            if lost == "after":
                real(account_id, messages, ip)
            raise OSError("disk full")
        return real(account_id, messages, ip)

    monkeypatch.setattr(ing, "accept", flaky)
    out = shop.api("POST", f"/api/lists/{lid}/members", 200, json={"emails": ["f@x.test"]}).json
    assert out["added"] == 1  # the join stands: its event waits in the outbox
    assert _left(shop) == 1
    assert _joins(shop, "f@x.test") == (1 if lost == "after" else 0)
    assert outbox.sweep(shop.rt) == 0  # too young: its writer may still be spooling it
    assert outbox.sweep(shop.rt, older_than=NOW) == 1
    assert _left(shop) == 0
    assert outbox.sweep(shop.rt, older_than=NOW) == 0
    assert _joins(shop, "f@x.test") == 1
    assert calls == [1, 1]


_CHILD = textwrap.dedent(
    """
    import os, pickle, sys, time
    from backend.lists import bulk, outbox
    from backend.runtime import Runtime

    settings, account_id, list_id = pickle.loads(bytes.fromhex(sys.argv[1]))

    def committed(runtime, ip=None):
        def send(account_id, messages):
            print("committed", flush=True)  # the join committed; now wait for kill -9
            time.sleep(120)
        return send

    outbox.spooler = committed
    rt = Runtime(settings, migrate=False)
    bulk.add(rt, account_id, list_id, {"emails": ["killed@x.test"]})
    print("spooled", flush=True)
    """
)


def test_a_join_whose_process_was_killed_before_its_spool_arrives_after_the_sweep(shop):
    lid = shop.new_list()
    arg = pickle.dumps((shop.rt.settings, shop.account.id, lid)).hex()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, arg],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": root},
    )
    try:
        assert child.stdout.readline().strip() == "committed"
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    members = shop.api("GET", f"/api/lists/{lid}/members", 200).json["members"]
    assert [m["email"] for m in members] == ["killed@x.test"]
    assert _joins(shop, "killed@x.test") == 0  # lost, were it not for the outbox
    assert _left(shop) == 1
    assert outbox.sweep(shop.rt, older_than=NOW) == 1
    assert _joins(shop, "killed@x.test") == 1


def test_a_leave_and_a_rejoin_starts_a_list_triggered_flow_again(shop):
    from backend.flows.runner import flow_engine

    lid = shop.new_list("Weekly")
    flow = {
        "name": "Welcome to Weekly",
        "reentry": True,
        "trigger": {"type": "list", "list": "Weekly"},
        "filters": [],
        "start": "tag",
        "nodes": [{"id": "tag", "type": "update_profile", "traits": {"hi": 1}, "next": None}],
    }
    fid = shop.api("POST", "/api/flows", 201, json=flow).json["id"]
    shop.api("POST", f"/api/flows/{fid}/activate", 200)
    body = {"emails": ["back@x.test"]}
    members = f"/api/lists/{lid}/members"
    assert shop.api("POST", members, 200, json=body).json["added"] == 1
    ingestor(shop.rt).drain()
    assert shop.api("DELETE", members, 200, json=body).json["removed"] == 1
    assert shop.api("POST", members, 200, json=body).json["added"] == 1
    assert _joins(shop, "back@x.test") == 2
    flow_engine(shop.rt).run_until_idle()
    with shop.rt.db.session() as s:
        runs = s.scalars(select(FlowRun.status).where(FlowRun.flow_id == fid)).all()
    assert runs == ["done", "done"]


def test_a_retried_api_join_is_counted_once(shop):
    lid = shop.new_list()
    body = {"emails": ["again@x.test"], "consent": True}
    first = shop.api("POST", f"/api/lists/{lid}/members", 200, json=body).json
    retry = shop.api("POST", f"/api/lists/{lid}/members", 200, json=body).json
    assert (first["added"], retry["added"], retry["already"]) == (1, 0, 1)
    assert outbox.sweep(shop.rt, older_than=NOW) == 0  # both spooled after their commits
    assert _joins(shop, "again@x.test") == 1


def test_a_form_join_whose_spool_failed_is_swept_with_its_submission(shop, monkeypatch):
    from backend.forms.starters import template

    body = {**template("newsletter_popup"), "double_opt_in": False, "list": "Popup"}
    fid = shop.api("POST", "/api/forms", 201, json=body).json["id"]
    shop.api("POST", f"/api/forms/{fid}/publish", 200)
    ing = ingestor(shop.rt)
    real, calls = ing.accept, []

    def down_once(account_id, messages, ip=None):
        calls.append(sorted(m["event"] for m in messages))
        if len(calls) == 1:
            raise OSError("spool unreachable")
        return real(account_id, messages, ip)

    monkeypatch.setattr(ing, "accept", down_once)
    r = shop.client.post(
        f"/client/forms/{fid}/submit?key={shop.account.public_key}",
        json={"fields": {"email": "pop@x.test", "consent": True}},
    )
    assert r.status_code == 200 and r.json["status"] == "subscribed"
    assert _joins(shop, "pop@x.test") == 0
    assert outbox.sweep(shop.rt, older_than=NOW) == 2
    assert _joins(shop, "pop@x.test") == 1
    assert calls == [["Submitted Form", "Subscribed to List"]] * 2


def test_a_flow_steps_join_whose_emit_failed_is_swept(shop):
    from backend.flows.actions import Actions
    from backend.flows.engine import FlowEngine
    from backend.flows.mailer import FlowMail
    from tests.ingest.conftest import basic

    flow = {
        "name": "Buyers join VIP",
        "trigger": {"type": "metric", "metric": "Placed Order"},
        "filters": [],
        "start": "join",
        "nodes": [{"id": "join", "type": "add_to_list", "list": "VIP", "next": None}],
    }
    fid = shop.api("POST", "/api/flows", 201, json=flow).json["id"]
    shop.api("POST", f"/api/flows/{fid}/activate", 200)
    w = basic(shop.account.write_key)
    for kind, body in (
        ("identify", {"userId": "b1", "traits": {"email": "buyer@x.test"}, "messageId": "i1"}),
        ("track", {"userId": "b1", "event": "Placed Order", "messageId": "o1"}),
    ):
        assert shop.client.post(f"/v1/{kind}", json=body, headers=w).status_code == 200
    ingestor(shop.rt).drain()
    emitted: list[str] = []

    def emit_fails(account_id, messages):
        emitted.extend(m["event"] for m in messages)
        raise ConnectionError("ingestion unreachable")

    engine = FlowEngine(shop.rt.db, Actions(FlowMail(shop.rt.settings), emit=emit_fails))
    assert engine.run_until_idle() == 1
    assert emitted == ["Subscribed to List"]
    with shop.rt.db.session() as s:
        assert s.scalar(select(FlowRun.status).where(FlowRun.flow_id == fid)) == "done"
    assert _joins(shop, "buyer@x.test") == 0
    assert outbox.sweep(shop.rt, older_than=NOW) == 1
    assert _joins(shop, "buyer@x.test") == 1


def test_a_row_that_keeps_failing_never_holds_up_the_rows_behind_it(shop, monkeypatch):
    from backend.store.db import utcnow

    def track(mid: str) -> dict:
        return {"type": "track", "event": "Subscribed to List", "userId": "u-1", "messageId": mid}

    old = utcnow() - timedelta(minutes=1)
    with shop.rt.db.session() as s:
        for i, mid in enumerate(("poison", "fine")):
            s.add(
                ListOutbox(
                    id=f"{mid}-{shop.account.id}",
                    account_id=shop.account.id,
                    messages=[track(f"{mid}-{shop.account.id}")],
                    created_at=old + timedelta(seconds=i),
                )
            )
    ing = ingestor(shop.rt)
    real = ing.accept

    def refuses_poison(account_id, messages, ip=None):
        if messages[0]["messageId"].startswith("poison"):
            raise ValueError("ingestion refuses this message")
        return real(account_id, messages, ip)

    monkeypatch.setattr(ing, "accept", refuses_poison)
    monkeypatch.setattr(outbox, "SWEEP_BATCH", 1)  # the poison row fills a whole batch
    assert outbox.sweep(shop.rt) == 1
    assert outbox.sweep(shop.rt) == 0  # still refused, still kept
    ingestor(shop.rt).drain()
    with shop.rt.db.session() as s:
        left = s.scalars(select(ListOutbox.id).where(ListOutbox.account_id == shop.account.id))
        assert left.all() == [f"poison-{shop.account.id}"]
        stored = select(Event.message_id).where(Event.account_id == shop.account.id)
        assert s.scalars(stored).all() == [f"fine-{shop.account.id}"]


def test_the_jobs_loop_sweeps_what_was_left_behind(shop):
    import threading
    import time

    from backend.store.db import utcnow

    row_id = f"left-{shop.account.id}"
    message = {"type": "track", "event": "Subscribed to List", "userId": "u-2", "messageId": row_id}
    with shop.rt.db.session() as s:
        s.add(
            ListOutbox(
                id=row_id,
                account_id=shop.account.id,
                messages=[message],
                created_at=utcnow() - timedelta(minutes=1),
            )
        )
    stop = threading.Event()
    loop = threading.Thread(target=outbox.run_forever, args=(shop.rt, stop, 0.05))
    loop.start()
    try:
        deadline = time.monotonic() + 30  # a deadline to poll against, not a speed check
        while _left(shop) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        loop.join()
    assert _left(shop) == 0
    ingestor(shop.rt).drain()
    with shop.rt.db.session() as s:
        stored = select(Event.message_id).where(Event.account_id == shop.account.id)
        assert s.scalars(stored).all() == [row_id]
