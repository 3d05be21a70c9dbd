"""The "Subscribed to List" events of joins made by the API and CSV imports, written to the
outbox with the joins and spooled through ingestion after they commit (outbox.py), so
list-triggered flows and segments see them as they see a form's join.

The messageId names the membership: list, profile and the time the member joined (its
`created_at`). A retry of the same join finds the member and sends nothing, a re-spool of
the outbox repeats the id (ingestion drops the copy), while a leave and a later rejoin is a
new membership, a new id, and starts a list-triggered flow again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from backend.lists import LIST_METRIC
from backend.lists.members import Person, aliases
from backend.store.models import List


def join_id(list_id: int, profile_id: int, joined_at: datetime) -> str:
    return f"list-{list_id}-join-{profile_id}-{joined_at:%Y%m%dT%H%M%S.%f}"


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
                "messageId": join_id(lst.id, p.id, now),
                "timestamp": now.isoformat() + "Z",
                "properties": {"list": lst.name, "$list": str(lst.id), "source": source},
            }
        )
    return out
