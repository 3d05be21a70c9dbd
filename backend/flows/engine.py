"""The flow engine: claims due step jobs and executes them, one node at a time.

A job is claimed (status pending -> running, committed) before any side effect, and
finished (done + the next job) in one transaction after it. A crash between the two leaves
the job `running`; recovery marks such jobs `interrupted` instead of running them again,
so no e-mail or webhook is ever sent twice. Time comes from `clock`, so tests can advance it.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update

from backend.flows.actions import Actions, Outcome
from backend.store.db import Database, utcnow
from backend.store.flow_models import Flow, FlowAction, FlowJob, FlowRun
from backend.store.models import Profile

log = logging.getLogger("tally.flows")
STALE_CLAIM = timedelta(minutes=10)


class FlowEngine:
    def __init__(self, db: Database, actions: Actions, clock: Callable[[], datetime] = utcnow):
        self.db = db
        self.actions = actions
        self.clock = clock
        self.worker = f"{socket.gethostname()}:{os.getpid()}"

    def run_due(self, limit: int = 200) -> int:
        """Execute every job due now (up to `limit`); returns how many ran."""
        now = self.clock()
        self._recover(now)
        with self.db.session() as s:
            due = list(
                s.scalars(
                    select(FlowJob.id)
                    .join(Flow, Flow.id == FlowJob.flow_id)
                    .where(
                        FlowJob.status == "pending", FlowJob.due_at <= now, Flow.status == "live"
                    )
                    .order_by(FlowJob.due_at, FlowJob.id)
                    .limit(limit)
                )
            )
        ran = 0
        for job_id in due:
            if self._claim(job_id, now):
                self._execute(job_id, now)
                ran += 1
        return ran

    def run_until_idle(self, max_rounds: int = 100) -> int:
        total = 0
        for _ in range(max_rounds):
            n = self.run_due()
            total += n
            if n == 0:
                break
        return total

    def _recover(self, now: datetime) -> None:
        with self.db.session() as s:
            s.execute(
                update(FlowJob)
                .where(FlowJob.status == "running", FlowJob.claimed_at < now - STALE_CLAIM)
                .values(status="interrupted", finished_at=now)
            )

    def _claim(self, job_id: int, now: datetime) -> bool:
        with self.db.session() as s:
            res = s.execute(
                update(FlowJob)
                .where(FlowJob.id == job_id, FlowJob.status == "pending")
                .values(
                    status="running",
                    claimed_by=self.worker,
                    claimed_at=now,
                    attempts=FlowJob.attempts + 1,
                )
            )
            return res.rowcount == 1

    def _execute(self, job_id: int, now: datetime) -> None:
        with self.db.session() as s:
            job = s.get(FlowJob, job_id)
            run = s.get(FlowRun, job.run_id)
            flow = s.get(Flow, job.flow_id)
            profile = s.get(Profile, run.profile_id)
            nodes = {n["id"]: n for n in flow.definition.get("nodes", [])}
            node = nodes.get(job.node_id)
            try:
                if node is None:
                    outcome = Outcome(
                        "failed", None, f"node {job.node_id!r} was removed from the flow"
                    )
                elif profile is None:
                    outcome = Outcome("failed", None, "the profile was deleted")
                else:
                    # In a savepoint: a failing action's writes roll back with it, and the
                    # session stays usable to record the failure and finish the job.
                    with s.begin_nested():
                        outcome = self.actions.perform(s, flow, run, job, node, profile, now)
            except Exception as exc:  # one node's failure never stops the engine
                log.exception("flow %s node %s failed", flow.id, job.node_id)
                outcome = Outcome("failed", None, f"{type(exc).__name__}: {exc}")
            s.add(
                FlowAction(
                    flow_id=flow.id,
                    run_id=run.id,
                    node_id=job.node_id,
                    kind=node["type"] if node else "?",
                    outcome=outcome.outcome,
                    detail=outcome.detail[:2000],
                    at=now,
                )
            )
            account_id = flow.account_id
            if outcome.retry_at is not None:
                job.status, job.due_at = "pending", outcome.retry_at
                return
            job.status, job.finished_at = ("failed" if outcome.outcome == "failed" else "done"), now
            if outcome.next_node:
                s.add(
                    FlowJob(
                        run_id=run.id,
                        flow_id=flow.id,
                        node_id=outcome.next_node,
                        due_at=outcome.next_at or now,
                        after_node=outcome.after_node,
                    )
                )
            else:
                run.status = "failed" if outcome.outcome == "failed" else "done"
        if outcome.events:
            # After the commit, as forms do: a list-triggered flow that this event enrolls
            # finds the membership. The message ids are the job's: a replay is deduplicated.
            self.actions.emit(account_id, outcome.events)
