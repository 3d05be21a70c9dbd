"""Start profiles on live flows, inside the aggregator's transaction: an event is folded
and enrolled together or not at all, so a flow starts exactly once per triggering event."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.flows.conditions import matches
from backend.store.flow_models import Flow, FlowJob, FlowRun
from backend.store.models import Profile

LIST_METRIC = "Subscribed to List"
SEGMENT_METRIC = "$joined_segment"  # not an event: how a segment join is handed in
# Flows react to live events; a backfill of old events (imports, the demo seed) must not
# send today's e-mails about last month's orders.
MAX_EVENT_AGE = timedelta(days=1)


def _triggered(flow: Flow, row: dict) -> bool:
    trig = flow.definition.get("trigger") or {}
    if trig.get("type") == "metric":
        return row["metric"] == trig.get("metric")
    if trig.get("type") == "list":
        return row["metric"] == LIST_METRIC and (row["properties"] or {}).get("list") == trig.get(
            "list"
        )
    if trig.get("type") == "segment":  # a join, from backend/segments/live.py
        return row["metric"] == SEGMENT_METRIC and (row["properties"] or {}).get(
            "segment"
        ) == trig.get("segment")
    return False


def enroll(session: Session, account_id: str, rows: list[dict], now: datetime) -> int:
    """rows: the events just inserted (metric, properties, ts, message_id, profile_id)."""
    flows = list(
        session.scalars(select(Flow).where(Flow.account_id == account_id, Flow.status == "live"))
    )
    if not flows:
        return 0
    started = 0
    seen: set[tuple[int, int, str]] = set()
    for flow in flows:
        defn = flow.definition
        if not defn.get("start"):
            continue
        for row in rows:
            if (
                not _triggered(flow, row)
                or row["ts"] < now - MAX_EVENT_AGE
                or not row.get("profile_id")
            ):
                continue
            key = (flow.id, row["profile_id"], row["message_id"] if flow.reentry else "")
            if key in seen:
                continue
            seen.add(key)
            exists = session.scalar(
                select(FlowRun.id).where(
                    FlowRun.flow_id == key[0],
                    FlowRun.profile_id == key[1],
                    FlowRun.entry_key == key[2],
                )
            )
            if exists:
                continue
            profile = session.get(Profile, row["profile_id"])
            event = row["properties"] or {}
            if not matches((defn.get("trigger") or {}).get("where"), session, profile, event, now):
                continue
            if not matches(defn.get("filters"), session, profile, event, now):
                continue
            run = FlowRun(
                flow_id=flow.id,
                account_id=account_id,
                profile_id=profile.id,
                entry_key=key[2],
                event={
                    "metric": row["metric"],
                    "properties": event,
                    "message_id": row["message_id"],
                },
            )
            session.add(run)
            session.flush()
            session.add(FlowJob(run_id=run.id, flow_id=flow.id, node_id=defn["start"], due_at=now))
            started += 1
    return started
