"""The "Subscribed to List" events of joins made by the API and CSV imports, spooled
through ingestion after the joins commit (as backend/lists/__init__.py says), so
list-triggered flows and segments see them as they see a form's join.

The messageId is fixed per (list, profile): a re-run of an import, or a retry of an API
call, is counted once (ingestion drops the copy)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from backend.ingest import ingestor
from backend.lists import LIST_METRIC
from backend.lists.members import Person, aliases
from backend.store.models import List

SPOOL_BATCH = 500  # messages handed to ingestion at once


def join_messages(
    s: Session, lst: List, people: list[Person], source: str, now: datetime
) -> list[dict]:
    """Segment messages for these new members (read what they need while `s` is open)."""
    anon = aliases(s, [p.id for p in people if not p.external_id])
    out = []
    for p in people:
        if p.external_id:
            ident: dict = {"userId": p.external_id}
        else:
            # Resolves back to this profile: by its alias, else by its e-mail.
            ident = {"anonymousId": anon.get(p.id) or f"tally-profile-{p.id}"}
            if p.email:
                ident["traits"] = {"email": p.email}
        out.append(
            {
                "type": "track",
                "event": LIST_METRIC,
                **ident,
                "messageId": f"list-{lst.id}-join-{p.id}",
                "timestamp": now.isoformat() + "Z",
                "properties": {"list": lst.name, "$list": str(lst.id), "source": source},
            }
        )
    return out


def spool(runtime, account_id: str, messages: list[dict]) -> None:
    """Hand the messages to ingestion (durable when this returns). Call after the commit."""
    if not messages:
        return
    ing = ingestor(runtime)
    for i in range(0, len(messages), SPOOL_BATCH):
        ing.accept(account_id, messages[i : i + SPOOL_BATCH], None)
