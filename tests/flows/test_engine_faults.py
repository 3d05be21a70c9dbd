"""Faults of the flow engine found by hand: a failing action must not leave the engine on a
broken session, and an add-to-list step spools its list event only once the membership is
committed (the order forms use), so the list-triggered flow it starts finds the member."""

from __future__ import annotations

from sqlalchemy import select

from backend.accounts.service import create_account
from backend.flows.actions import Actions
from backend.flows.engine import FlowEngine
from backend.flows.mailer import FlowMail
from backend.ingest import ingestor
from backend.store.db import utcnow
from backend.store.flow_models import FlowAction, FlowJob
from backend.store.models import List, ListMember, Profile, ProfileAlias

ORDER = {"type": "metric", "metric": "Placed Order"}


def _flow(client, acc, name, nodes):
    h = {"Authorization": f"Bearer {acc.private_key}"}
    body = {"name": name, "trigger": ORDER, "filters": [], "start": nodes[0]["id"], "nodes": nodes}
    fid = client.post("/api/flows", json=body, headers=h).json["id"]
    assert client.post(f"/api/flows/{fid}/activate", headers=h).status_code == 200
    return fid


def _order(rt, acc, user: str) -> None:
    msg = {"type": "track", "userId": user, "event": "Placed Order", "messageId": f"o-{user}"}
    ingestor(rt).accept(acc.id, [msg])
    ingestor(rt).drain()


class WritesThenBreaks(Actions):
    """An update-profile step whose write succeeds and whose next write fails in the
    database (a duplicate of a unique key): the session then needs a rollback."""

    def _update_profile(self, s, flow, run, job, node, profile, event, now):
        super()._update_profile(s, flow, run, job, node, profile, event, now)
        for _ in range(2):
            s.add(
                ProfileAlias(account_id=flow.account_id, anonymous_id="dup", profile_id=profile.id)
            )
        s.flush()
        raise AssertionError("the flush above raises first")


def test_a_failing_action_rolls_back_alone_and_the_engine_goes_on(flows_app):
    rt = flows_app.extensions["tally"]
    with rt.db.session() as s:
        acc = create_account(s, "Shop")
    client = flows_app.test_client()
    broken = _flow(
        client,
        acc,
        "Breaks",
        [{"id": "tag", "type": "update_profile", "traits": {"vip": True}, "next": None}],
    )
    fine = _flow(
        client, acc, "Fine", [{"id": "join", "type": "add_to_list", "list": "Buyers", "next": None}]
    )
    _order(rt, acc, "u1")
    ing = ingestor(rt)
    engine = FlowEngine(rt.db, WritesThenBreaks(FlowMail(rt.settings), emit=ing.accept))
    assert engine.run_until_idle() == 2  # no PendingRollbackError out of the engine
    with rt.db.session() as s:
        jobs = {j.flow_id: j.status for j in s.scalars(select(FlowJob))}
        assert jobs == {broken: "failed", fine: "done"}
        failed = s.scalar(select(FlowAction).where(FlowAction.flow_id == broken))
        assert failed.outcome == "failed" and "IntegrityError" in failed.detail
        profile = s.scalar(select(Profile).where(Profile.account_id == acc.id))
        assert "vip" not in (profile.traits or {})  # the failed step's write rolled back
        assert s.scalar(select(List.name).join(ListMember)) == "Buyers"


def test_add_to_list_spools_its_event_after_the_membership_commits(flows_app):
    rt = flows_app.extensions["tally"]
    with rt.db.session() as s:
        acc = create_account(s, "Shop")
    client = flows_app.test_client()
    _flow(client, acc, "Join", [{"id": "join", "type": "add_to_list", "list": "VIP", "next": None}])
    _order(rt, acc, "u1")
    ing = ingestor(rt)
    seen: list[tuple[str, bool]] = []

    def emit(account_id, messages):
        # What a list-triggered flow would see when this event enrolls it: another session.
        with rt.db.session() as other:
            member = other.scalar(
                select(ListMember.profile_id).join(List).where(List.name == "VIP")
            )
        seen.extend((m["event"], member is not None) for m in messages)
        ing.accept(account_id, messages)

    engine = FlowEngine(rt.db, Actions(FlowMail(rt.settings), emit=emit), clock=utcnow)
    engine.run_until_idle()
    assert seen == [("Subscribed to List", True)]
