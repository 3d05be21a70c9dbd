"""Flow e-mails through the campaign engine's exactly-once record.

A flow e-mail node's send is one row of `flow_sends` (a per-(flow, node) sending stream,
one row a journey) with the campaign recipients' states: sent, failed (with the reply),
skipped, suppressed, unknown. The flow job's claim (pending -> running, committed before
any side effect: backend/flows/engine.py) plays the recipient's `sending`; the hand-over is
written to the engine's journal (`H <job>` before SMTP, `R <job> sent|failed <reply>`
after), and the row is written with the step's outcome, in its transaction.

After a kill -9 the next jobs process decides every e-mail job the dead one left running,
as the campaign sender does (backend/campaigns/journal.py): a result line -> that result,
and the journey goes on from it; a hand-over line alone -> `unknown` (it may have been
delivered: never sent again), the journey goes on; neither -> pending again (it never
left). Rates are the campaigns' buckets (limits.shared): flows and campaigns together keep
TALLY_CAMPAIGN_RATE and the per-domain rate."""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

from sqlalchemy import select

from backend.campaigns.journal import Journal
from backend.campaigns.limits import shared
from backend.email import events
from backend.email.compose import message_key
from backend.email.render import placeholders, render
from backend.store.campaign_models import FAILED, SENT, UNKNOWN, FlowSend
from backend.store.db import utcnow
from backend.store.flow_models import Flow, FlowAction, FlowJob, FlowRun
from backend.store.models import Profile

log = logging.getLogger("tally.flows")
JOURNAL_ID = "flows"  # var/campaigns/campaign-flows.journal
CLEAR_AT = 256 * 1024  # bytes: the journal is emptied before a send when it grew past this


def worker_id() -> str:
    """The flow engine's name for this process's claims (backend/flows/engine.py)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def email_source(flow, node: dict, run) -> dict:
    source = {"flow": flow.id, "node": node["id"]}
    if flow.reentry:
        source["run"] = run.id  # each journey through the flow is its own e-mail
    trigger = flow.definition.get("trigger") or {}
    if trigger.get("type") == "list" and trigger.get("list"):
        source["list"] = str(trigger["list"])  # the unsubscribe page offers "this list only"
    return source


class FlowSends:
    """One per jobs process (FlowMail holds it)."""

    def __init__(self, journal_dir: Path, limits):
        self.journal = Journal(journal_dir, JOURNAL_ID)
        self.rate, self.domains = shared(limits)
        self.recovered = False

    # -- around the hand-over --------------------------------------------------------------
    def before(self, job_id: int, email: str) -> None:
        """Wait for the shared rate, then put the hand-over on record."""
        if self.journal.path.exists() and self.journal.path.stat().st_size > CLEAR_AT:
            # Every job before this one has committed (the engine runs one at a time).
            self.journal.clear()
        self.rate.take()
        self.domains.take(email.rpartition("@")[2].lower())
        self.journal.handing(job_id)

    def after(self, job_id: int, state: str, reply: str) -> None:
        if state in (SENT, FAILED):
            self.journal.result(job_id, state, reply)
        elif state == "pending":
            self.journal.write(f"R {job_id} pending\n")

    @staticmethod
    def record(s, flow, node, run, job, profile, state: str, reply: str, key, now) -> None:
        s.add(
            FlowSend(
                account_id=flow.account_id,
                flow_id=flow.id,
                node_id=node["id"],
                run_id=run.id,
                job_id=job.id,
                profile_id=profile.id,
                email=profile.email or "",
                state=state,
                reply=(reply or "")[:2000] or None,
                message_key=key,
                sent_at=now if state == SENT else None,
            )
        )

    # -- after a kill ----------------------------------------------------------------------
    def recover(self, s, emit) -> int:
        """Decide the e-mail jobs a dead jobs process left running (once per process, in the
        first step's transaction). Returns how many."""
        self.recovered = True
        me = worker_id()
        stuck = s.scalars(
            select(FlowJob).where(
                FlowJob.status == "running",
                (FlowJob.claimed_by != me) | FlowJob.claimed_by.is_(None),
            )
        ).all()
        replay = self.journal.replay()
        n = 0
        for job in stuck:
            flow = s.get(Flow, job.flow_id)
            node = _node(flow, job.node_id)
            if node is None or node.get("type") != "email":
                continue  # the engine's own rule for other steps (interrupted)
            n += 1
            if job.id not in replay.handed and job.id not in replay.results:
                job.status, job.claimed_by, job.claimed_at = "pending", None, None
                continue  # it never left: the step runs again
            self._finish(s, flow, node, job, replay, emit)
        self.journal.clear()
        if n:
            log.warning("flows: %s e-mail steps decided after a stop", n)
        return n

    def _finish(self, s, flow, node, job, replay, emit) -> None:
        now = utcnow()
        run = s.get(FlowRun, job.run_id)
        profile = s.get(Profile, run.profile_id)
        state, reply = replay.results.get(job.id, (UNKNOWN, "handed to SMTP when it stopped"))
        source = email_source(flow, node, run)
        key = message_key(source, profile.id) if profile else None
        if (
            profile is not None
            and s.scalar(select(FlowSend.id).where(FlowSend.job_id == job.id)) is None
        ):
            self.record(s, flow, node, run, job, profile, state, reply, key, now)
        outcome, nxt = ("failed", None) if state == FAILED else (state, node.get("next"))
        s.add(
            FlowAction(
                flow_id=flow.id,
                run_id=run.id,
                node_id=job.node_id,
                kind="email",
                outcome=outcome,
                detail=f"after a stop: {reply}"[:2000],
                at=now,
            )
        )
        job.status, job.finished_at = ("failed" if outcome == "failed" else "done"), now
        if nxt:
            s.add(FlowJob(run_id=run.id, flow_id=flow.id, node_id=nxt, due_at=now))
        else:
            run.status = "failed" if outcome == "failed" else "done"
        if state == SENT and profile is not None:
            values = placeholders(
                profile.traits, (run.event or {}).get("properties"), profile.email
            )
            subject = " ".join(render(node.get("subject", ""), values, "subject").split())
            emit(flow.account_id, [events.received(profile, source, key, subject, now)])


def _node(flow, node_id: str) -> dict | None:
    if flow is None:
        return None
    return next((n for n in flow.definition.get("nodes", []) if n.get("id") == node_id), None)
