"""A flow's e-mail step keeps the campaign engine's record (flow_sends) against a real SMTP
server (aiosmtpd): a refusal is failed with the server's reply, a suppressed profile is
suppressed and its journey goes on, SMTP down is a retry with nothing recorded and then
one send, and flows take from the campaigns' rate buckets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.campaigns.runner import build_sender
from backend.flows.runner import flow_engine
from backend.store.campaign_models import FlowSend
from backend.store.db import utcnow
from backend.store.flow_models import FlowAction, FlowJob, FlowRun
from backend.store.models import Profile
from tests.conftest import make_settings
from tests.flows.helpers import setup_flow
from tests.live_server import free_port
from tests.smtp import Inbox

FLOW = {
    "name": "Welcome",
    "trigger": {"type": "metric", "metric": "Signed Up"},
    "filters": [],
    "start": "hello",
    "nodes": [
        {"id": "hello", "type": "email", "subject": "Hi {{ first_name }}", "body": "Hello"},
    ],
}
FLOW["nodes"][0]["next"] = "tag"
FLOW["nodes"].append({"id": "tag", "type": "update_profile", "traits": {"t": 1}, "next": None})


class Picky(Inbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("refused"):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def port():
    return free_port()


@pytest.fixture
def settings(tmp_path, db_url, port):
    return make_settings(tmp_path, db_url, TALLY_SMTP_URL=f"smtp://127.0.0.1:{port}?from=a@b.test")


def _server(port):
    from aiosmtpd.controller import Controller

    handler = Picky()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return handler, controller


def _journeys(runtime, account, fid, people):
    now = utcnow()
    with runtime.db.session() as s:
        rows = [
            Profile(account_id=account.id, email=e, traits={"first_name": e[:3]}, email_status=st)
            for e, st in people
        ]
        s.add_all(rows)
        s.flush()
        runs = [FlowRun(flow_id=fid, account_id=account.id, profile_id=p.id) for p in rows]
        s.add_all(runs)
        s.flush()
        s.add_all(FlowJob(run_id=r.id, flow_id=fid, node_id="hello", due_at=now) for r in runs)


def _sends(runtime) -> dict:
    with runtime.db.session() as s:
        return {r.email: (r.state, r.reply) for r in s.scalars(select(FlowSend))}


def test_refused_failed_with_the_reply_suppressed_goes_on(client, account, runtime, port):
    handler, controller = _server(port)
    try:
        fid, _ = setup_flow(client, account, FLOW)
        people = [("ann@x.test", "subscribed"), ("refused@x.test", "subscribed")]
        _journeys(runtime, account, fid, people + [("gone@x.test", "unsubscribed")])
        engine = flow_engine(runtime)
        engine.run_until_idle()
    finally:
        controller.stop()
    assert [str(m["To"]) for m in handler.messages] == ["ann@x.test"]
    sends = _sends(runtime)
    assert sends["ann@x.test"][0] == "sent" and sends["ann@x.test"][1].startswith("250")
    assert sends["refused@x.test"][0] == "failed" and "550" in sends["refused@x.test"][1]
    assert sends["gone@x.test"] == ("suppressed", "e-mail status is unsubscribed")
    with runtime.db.session() as s:
        outcomes = sorted(
            s.scalars(select(FlowAction.outcome).where(FlowAction.node_id == "hello"))
        )
        ended = dict(s.execute(select(FlowRun.profile_id, FlowRun.status)).all())
    assert outcomes == ["failed", "sent", "suppressed"]
    assert sorted(ended.values()) == ["done", "done", "failed"]


def test_smtp_down_retries_with_nothing_recorded_then_sends_once(client, account, runtime, port):
    fid, _ = setup_flow(client, account, FLOW)
    _journeys(runtime, account, fid, [("ann@x.test", "subscribed")])
    clock = [utcnow()]
    engine = flow_engine(runtime, clock=lambda: clock[0])
    engine.run_until_idle()  # no server yet
    with runtime.db.session() as s:
        job = s.scalar(select(FlowJob).where(FlowJob.node_id == "hello"))
        assert (job.status, job.attempts) == ("pending", 1)
    assert _sends(runtime) == {}
    replay = engine.actions.mail.sends.journal.replay()
    assert job.id not in replay.handed  # nothing left: a kill now would send it again
    handler, controller = _server(port)
    try:
        clock[0] += timedelta(minutes=1)
        engine.run_until_idle()
    finally:
        controller.stop()
    assert [str(m["To"]) for m in handler.messages] == ["ann@x.test"]
    assert _sends(runtime)["ann@x.test"][0] == "sent"


def test_flows_and_campaigns_take_from_the_same_rate_buckets(runtime):
    sender = build_sender(runtime)
    try:
        sends = flow_engine(runtime).actions.mail.sends
        assert sends.rate is sender.rate and sends.domains is sender.domains
    finally:
        sender.close()
        if sender.pool is not None:
            sender.pool.close()
