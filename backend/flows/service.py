"""Flows as the API and the builder see them: CRUD, versions, activate/pause, node stats."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.errors import NotFound
from backend.flows.schema import FlowInvalid, Problem, check_structure, completeness
from backend.store.db import utcnow
from backend.store.flow_models import Flow, FlowAction, FlowJob, FlowRun, FlowVersion


class FlowNotFound(NotFound):
    pass


def to_json(flow: Flow) -> dict:
    return {
        **flow.definition,
        "id": flow.id,
        "status": flow.status,
        "version": flow.version,
        "reentry": flow.reentry,
        "created_at": flow.created_at.isoformat() + "Z",
        "updated_at": flow.updated_at.isoformat() + "Z",
    }


def _definition(body: dict) -> dict:
    keys = ("name", "trigger", "filters", "start", "nodes")
    defn = {k: body.get(k) for k in keys}
    defn["filters"] = defn["filters"] or []
    defn["nodes"] = defn["nodes"] if defn["nodes"] is not None else []
    if not defn["nodes"] and defn["start"] is None:
        pass  # an empty draft is fine
    check_structure(defn)
    defn["name"] = defn["name"].strip()
    return defn


def get(s: Session, account_id: str, flow_id: int) -> Flow:
    flow = s.get(Flow, flow_id)
    if flow is None or flow.account_id != account_id:
        raise FlowNotFound(f"no flow {flow_id} in this account")
    return flow


def list_flows(s: Session, account_id: str) -> list[Flow]:
    return list(s.scalars(select(Flow).where(Flow.account_id == account_id).order_by(Flow.id)))


def create(s: Session, account_id: str, body: dict) -> Flow:
    defn = _definition(body)
    flow = Flow(
        account_id=account_id,
        name=defn["name"],
        definition=defn,
        version=1,
        reentry=bool(body.get("reentry", False)),
    )
    s.add(flow)
    s.flush()
    s.add(FlowVersion(flow_id=flow.id, version=1, definition=defn))
    return flow


def update(s: Session, account_id: str, flow_id: int, body: dict) -> Flow:
    """Saving makes a new version. A live flow must stay complete."""
    flow = get(s, account_id, flow_id)
    defn = _definition(body)
    if flow.status == "live":
        problems = completeness(defn)
        if problems:
            raise FlowInvalid(problems)
    flow.version += 1
    flow.definition, flow.name, flow.updated_at = defn, defn["name"], utcnow()
    if "reentry" in body:
        flow.reentry = bool(body["reentry"])
    s.add(FlowVersion(flow_id=flow.id, version=flow.version, definition=defn))
    return flow


def delete(s: Session, account_id: str, flow_id: int) -> None:
    s.delete(get(s, account_id, flow_id))


def activate(s: Session, account_id: str, flow_id: int) -> Flow:
    flow = get(s, account_id, flow_id)
    problems = completeness(flow.definition)
    if problems:
        raise FlowInvalid(problems)
    flow.status, flow.updated_at = "live", utcnow()
    return flow


def pause(s: Session, account_id: str, flow_id: int) -> Flow:
    flow = get(s, account_id, flow_id)
    flow.status, flow.updated_at = "paused", utcnow()
    return flow


def versions(s: Session, account_id: str, flow_id: int) -> list[dict]:
    get(s, account_id, flow_id)
    rows = s.scalars(
        select(FlowVersion)
        .where(FlowVersion.flow_id == flow_id)
        .order_by(FlowVersion.version.desc())
    )
    return [
        {
            "version": v.version,
            "created_at": v.created_at.isoformat() + "Z",
            "name": v.definition.get("name"),
            "nodes": len(v.definition.get("nodes") or []),
        }
        for v in rows
    ]


def restore(s: Session, account_id: str, flow_id: int, version: int) -> Flow:
    get(s, account_id, flow_id)
    old = s.scalar(
        select(FlowVersion).where(FlowVersion.flow_id == flow_id, FlowVersion.version == version)
    )
    if old is None:
        raise FlowNotFound(f"flow {flow_id} has no version {version}")
    return update(s, account_id, flow_id, old.definition)


def stats(s: Session, account_id: str, flow_id: int) -> dict:
    """Per node: outcomes recorded (entered, yes/no, sent, failed...) and profiles waiting."""
    get(s, account_id, flow_id)
    out: dict[str, dict[str, int]] = {}
    for node_id, outcome, n in s.execute(
        select(FlowAction.node_id, FlowAction.outcome, func.count())
        .where(FlowAction.flow_id == flow_id)
        .group_by(FlowAction.node_id, FlowAction.outcome)
    ):
        out.setdefault(node_id, {})[outcome] = n
    for node_id, n in s.execute(
        select(FlowJob.node_id, func.count())
        .where(FlowJob.flow_id == flow_id, FlowJob.status == "pending")
        .group_by(FlowJob.node_id)
    ):
        out.setdefault(node_id, {})["queued"] = n
    for after, n in s.execute(
        select(FlowJob.after_node, func.count())
        .where(
            FlowJob.flow_id == flow_id, FlowJob.status == "pending", FlowJob.after_node.is_not(None)
        )
        .group_by(FlowJob.after_node)
    ):
        out.setdefault(after, {})["waiting"] = n
    for node in out.values():
        node["entered"] = sum(
            v for k, v in node.items() if k not in ("queued", "waiting", "retrying")
        )
    entered = s.scalar(select(func.count()).select_from(FlowRun).where(FlowRun.flow_id == flow_id))
    return {"flow_id": flow_id, "entered": entered, "nodes": out}


__all__ = [
    "FlowInvalid",
    "FlowNotFound",
    "Problem",
    "activate",
    "create",
    "delete",
    "get",
    "list_flows",
    "pause",
    "restore",
    "stats",
    "to_json",
    "update",
    "versions",
]
