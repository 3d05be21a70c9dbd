"""Who may get marketing e-mail: `profiles.email_status`. Checked at the moment of sending
(a flow's e-mail node, a campaign's sender), never at enrolment, so an unsubscribe between
the two always wins."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.exc import UnmappedInstanceError

from backend.email import events
from backend.errors import Invalid
from backend.store.db import utcnow
from backend.store.email_models import EMAIL_STATUSES
from backend.store.privacy_models import is_erased
from backend.store.touches import touch

SUPPRESSED = {"unsubscribed", "bounced", "complained"}
SOFT_BOUNCE_LIMIT = 3  # soft bounces in a row that suppress like a hard one

Emit = Callable[[str, list[dict]], None]  # (account_id, Segment messages) -> spooled

_EVENT_OF = {
    "unsubscribed": events.UNSUBSCRIBED,
    "bounced": events.BOUNCED,
    "complained": events.COMPLAINED,
}


def can_email(profile) -> bool:
    """Whether a marketing e-mail may go to this profile now: not suppressed, and not the
    address of a person erased on request who came back (an import, a form; privacy)."""
    if not profile.email or (profile.email_status or "never_subscribed") in SUPPRESSED:
        return False
    try:
        session = object_session(profile)
    except UnmappedInstanceError:  # a stand-in profile (a test send): no store to ask
        session = None
    return session is None or not is_erased(session, profile.account_id, profile.email)


def set_status(
    s: Session,
    profile,
    status: str,
    reason: str,
    emit: Emit | None,
    *,
    source: dict | None = None,
    subject: str | None = None,
    at: datetime | None = None,
    props: dict | None = None,
) -> bool:
    """Change a profile's e-mail status; True if it changed. Becoming unsubscribed, bounced
    or complained records its event (`Unsubscribed`, `Bounced Email`, `Marked Email as
    Spam`) through `emit`, with the e-mail's `source` properties when one is known. The same
    change again changes nothing and records nothing (so a repeated one-click POST is
    harmless)."""
    if status not in EMAIL_STATUSES:
        raise Invalid(problems=[f"email_status: must be one of {', '.join(EMAIL_STATUSES)}"])
    if profile.email_status == status:
        return False
    at = at or utcnow()
    profile.email_status = status
    profile.email_status_at = at
    profile.email_status_reason = (reason or "")[:300] or None
    if status == "subscribed":
        profile.email_soft_bounces = 0
    if profile.id is not None:  # segments on e-mail status re-evaluate it (a new one: at save)
        touch(s, profile.account_id, [profile.id])
    metric = _EVENT_OF.get(status)
    if metric and emit is not None:
        msg_id = f"email-status-{profile.id}-{status}-{at.strftime('%Y%m%dT%H%M%S%f')}"
        msg = events.email_event(
            metric,
            events.identity(profile),
            source or {},
            msg_id,
            subject=subject,
            at=at,
            reason=reason or None,
            **(props or {}),
        )
        if not source:  # by hand, or from an e-mail we cannot place: no flow/campaign keys
            for key in ("flow", "node", "$flow", "$node", events.EMAIL_DIMENSION):
                msg["properties"].pop(key, None)
        emit(profile.account_id, [msg])
    return True
