"""Everything Tally holds on one person, as one JSON document: the profile (traits,
identifiers, e-mail status and its history) and every row about it in any table (events,
aliases, list and segment memberships, flow enrolments with their steps, campaign
recipients, predictions, form submissions, bounces). Aggregate counters are not in it:
they hold counts per metric and hour, nothing about anyone."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.email.events import BOUNCED, COMPLAINED, UNSUBSCRIBED
from backend.errors import NotFound
from backend.privacy import tables
from backend.privacy.audit import Actor, record
from backend.store.db import utcnow
from backend.store.models import Event, Profile

FORMAT = "tally.profile-export/1"
STATUS_EVENTS = (UNSUBSCRIBED, BOUNCED, COMPLAINED, "Subscribed to List", "Subscribed")


def find(s: Session, account_id: str, profile_id: int, lock: bool = False) -> Profile:
    """The account's profile, or NotFound (another account's profile is not found either)."""
    q = select(Profile).where(Profile.id == profile_id, Profile.account_id == account_id)
    p = s.scalar(q.with_for_update() if lock else q)
    if p is None:
        raise NotFound(f"no profile {profile_id} in this account")
    return p


def _rows(s: Session, table, where) -> list[dict]:
    order = [table.c.id] if "id" in table.c else []
    return [
        {k: tables.plain(v) for k, v in row._mapping.items()}
        for row in s.execute(select(table).where(where).order_by(*order))
    ]


def _names(s: Session, rows: list[dict]) -> None:
    """Add "<thing>_name" beside each list/segment/flow/campaign/form id (one query each)."""
    for column, (tname, name_col) in tables.NAMED.items():
        ids = {r[column] for r in rows if r.get(column) is not None}
        if not ids:
            continue
        t = tables.table(tname)
        names = dict(s.execute(select(t.c.id, t.c[name_col]).where(t.c.id.in_(ids))).all())
        for r in rows:
            if column in r:
                r[column.removesuffix("_id") + "_name"] = names.get(r[column])


def export_profile(s: Session, account_id: str, profile_id: int, actor: Actor) -> dict:
    """The document for one profile; records the export in the audit."""
    p = find(s, account_id, profile_id)
    doc: dict = {
        "format": FORMAT,
        "exported_at": utcnow().isoformat() + "Z",
        "profile": {
            "id": p.id,
            "external_id": p.external_id,
            "email": p.email,
            "traits": p.traits or {},
            "country": p.country,
            "first_seen": tables.plain(p.first_seen),
            "last_seen": tables.plain(p.last_seen),
        },
    }
    for section in tables.SECTIONS.values():
        doc[section] = []
    for t in tables.profile_tables():
        rows = _rows(s, t, t.c.profile_id == p.id)
        _names(s, rows)
        if t.name == "flow_runs":
            for run in rows:  # the steps waiting or done, and what each did
                for child in tables.run_tables():
                    run[child.name] = _rows(s, child, child.c.run_id == run["id"])
        doc[tables.SECTIONS.get(t.name, t.name)] = rows
    if p.email:  # rows that kept the address without the profile's id (forms, by hand)
        for t in tables.address_tables():
            known = {r.get("id") for r in doc.get(tables.SECTIONS.get(t.name, t.name), [])}
            more = [
                r
                for r in _rows(s, t, (t.c.account_id == account_id) & (t.c.email == p.email))
                if r.get("id") not in known
            ]
            doc.setdefault(tables.SECTIONS.get(t.name, t.name), []).extend(more)
    doc["predictions"] = doc["predictions"][0] if doc["predictions"] else None
    history = select(Event.metric, Event.ts, Event.properties).where(
        Event.profile_id == p.id, Event.metric.in_(STATUS_EVENTS)
    )
    doc["email_status"] = {
        "status": p.email_status,
        "at": tables.plain(p.email_status_at),
        "reason": p.email_status_reason,
        "soft_bounces": p.email_soft_bounces,
        "history": [
            {"metric": m, "at": tables.plain(ts), "reason": (props or {}).get("reason")}
            for m, ts, props in s.execute(history.order_by(Event.ts, Event.id))
        ],
    }
    record(s, account_id, "export", p.id, actor)
    return doc
