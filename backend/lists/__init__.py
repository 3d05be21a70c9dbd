"""List membership: the one way a profile joins a list, shared by forms (a submission, a
double opt-in confirmation) and flows (the add-to-list step).

`join` only changes the session; the caller writes the "Subscribed to List" event to the
outbox in the same transaction (outbox.py), and it is spooled once that commits, so
whatever the event triggers (a list-triggered flow) finds the member and a crash never
loses it.
Every join and leave is also counted by hour and source (growth.py) for the Lists page;
the page, the API and CSV imports live in service.py, members.py and imports.py.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.email.suppression import set_status
from backend.lists import growth
from backend.store.models import List, ListMember, Profile

LIST_METRIC = "Subscribed to List"


def get_or_create(session: Session, account_id: str, name: str) -> List:
    """The account's list of this name, created (and flushed, so it has an id) if new."""
    lst = session.scalar(select(List).where(List.account_id == account_id, List.name == name))
    if lst is None:
        lst = List(account_id=account_id, name=name)
        session.add(lst)
        session.flush()
    return lst


def join(
    session: Session,
    account_id: str,
    name: str,
    profile: Profile,
    consent_at: datetime | None = None,
    source: str = "other",
) -> bool:
    """Add the profile to the list; True when it was not a member yet. A member who joins
    again keeps their membership, and gains the consent time if they had none. `source`
    says where the join came from ("form:ID", "flow:ID"), counted in the list's growth."""
    lst = get_or_create(session, account_id, name)
    if (
        consent_at is not None
        and (profile.email_status or "never_subscribed") == "never_subscribed"
    ):
        # Consent given to join a list is consent to the account's marketing e-mail; an
        # unsubscribed address subscribes again only through its own unsubscribe page.
        set_status(session, profile, "subscribed", f"consented joining {name}", None, at=consent_at)
    member = session.scalar(
        select(ListMember).where(ListMember.list_id == lst.id, ListMember.profile_id == profile.id)
    )
    if member is not None:
        if consent_at and not member.consent_at:
            member.consent_at = consent_at
        return False
    session.add(ListMember(list_id=lst.id, profile_id=profile.id, consent_at=consent_at))
    growth.record(session, lst.id, source, joins=1)
    return True
