"""Storefront submissions and views: rate limit, honeypot, profile and list membership with
the consent time, and the form events through the ingestion pipeline (so counters, form
numbers and list-triggered flows all see them)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend import lists
from backend.errors import TallyError
from backend.forms import service
from backend.forms.confirm import ConfirmUnavailable, send_confirmation
from backend.forms.events import SUBMITTED, SUBSCRIBED, VIEWED, form_event
from backend.forms.schema import HONEYPOT
from backend.forms.values import SubmissionInvalid, clean, consented, email_of
from backend.ingest import ingestor
from backend.lists import outbox
from backend.store.db import utcnow
from backend.store.form_models import FormAttempt, FormSubmission
from backend.store.models import Profile

RATE_LIMIT = 20  # submit attempts per address and window: a shop's NAT-ed office still fits
RATE_WINDOW = timedelta(minutes=10)
VIEW_LIMIT = 120  # views counted per address and window


class RateLimited(TallyError):
    status = 429


@dataclass(frozen=True)
class Outcome:
    status: str  # subscribed | pending (double opt-in) | ignored (honeypot)
    message: str
    submission_id: int | None = None


def _visitor(raw) -> str:
    if isinstance(raw, str) and 0 < len(raw) <= 200 and "\x00" not in raw:
        return raw
    return f"tally-v-{uuid.uuid4()}"


def check_rate(
    session: Session, ip: str | None, now: datetime, kind: str = "", limit: int = RATE_LIMIT
) -> None:
    """Record an attempt from `ip`; RateLimited when it is over the limit of the window."""
    subject = f"{kind}ip:{ip or '?'}"[:100]
    since = now - RATE_WINDOW
    session.execute(delete(FormAttempt).where(FormAttempt.at < since))
    recent = session.scalar(
        select(func.count())
        .select_from(FormAttempt)
        .where(FormAttempt.subject == subject, FormAttempt.at >= since)
    )
    session.add(FormAttempt(subject=subject, at=now))
    if recent >= limit:
        raise RateLimited(
            f"more than {limit} {kind.rstrip(':') or 'submission'}s from this address in "
            f"{int(RATE_WINDOW.total_seconds() // 60)} minutes; try again later"
        )


def upsert_profile(
    session: Session, account_id: str, email: str, traits: dict, now: datetime
) -> Profile:
    """The account's profile of this e-mail address, created if new, traits merged."""
    for _ in range(2):  # the aggregator may create the same profile at the same moment
        p = session.scalar(
            select(Profile).where(Profile.account_id == account_id, Profile.email == email)
        )
        if p is None:
            try:
                with session.begin_nested():
                    p = Profile(
                        account_id=account_id, email=email, traits={}, first_seen=now, last_seen=now
                    )
                    session.add(p)
            except IntegrityError:
                continue
        p.traits = {**(p.traits or {}), "email": email, **traits}
        p.last_seen = max(p.last_seen or now, now)
        return p
    raise RuntimeError("could not create or find the profile")


def _traits(form: dict, values: dict) -> dict:
    # E-mail keys the profile; other answers become traits (consent as its timestamp below).
    return {
        f["name"]: values[f["name"]]
        for f in form["fields"]
        if f["type"] not in ("email",) and not f["consent"] and f["name"] in values
    }


def submit(
    runtime, account_id: str, form_id: int, payload: dict, ip: str | None, confirm_url=None
) -> Outcome:
    """Handle one storefront submission. Raises RateLimited, FormNotFound, SubmissionInvalid.

    confirm_url(token) -> absolute link, needed by double opt-in forms."""
    now = utcnow()
    with runtime.db.session() as s:
        check_rate(s, ip, now)  # committed even when the rest fails: attempts count
    with runtime.db.session() as s:
        form = service.live_form(s, account_id, form_id)
        definition = form.published
        if definition["double_opt_in"] and not runtime.settings.smtp_url:
            raise ConfirmUnavailable("this form confirms by e-mail, and TALLY_SMTP_URL is not set")
        if payload.get(HONEYPOT):
            # Bots get the same answer as people, so they do not learn to skip the trap.
            return Outcome("ignored", definition["success_message"])
        values = clean(definition, payload.get("fields"))
        email = email_of(definition, values)
        consent_at = now if consented(definition, values) else None
        traits = _traits(definition, values)
        if consent_at:
            traits["consent_at"] = consent_at.isoformat() + "Z"
        profile = upsert_profile(s, account_id, email, traits, now)
        s.flush()
        pending = definition["double_opt_in"]
        joined = False
        if definition["list"] and not pending:
            joined = lists.join(
                s, account_id, definition["list"], profile, consent_at, source=f"form:{form.id}"
            )
        sub = FormSubmission(
            account_id=account_id,
            form_id=form.id,
            form_version=form.published_version or 0,
            profile_id=profile.id,
            email=email,
            values=values,
            visitor=_visitor(payload.get("visitor")),
            consent_at=consent_at,
            status="pending" if pending else "subscribed",
        )
        s.add(sub)
        s.flush()
        messages = [
            form_event(
                SUBMITTED,
                form,
                sub.visitor,
                f"form-submit-{sub.id}",
                now,
                {"email": email, **traits},
                version=sub.form_version,
            )
        ]
        if joined:
            messages.append(
                form_event(
                    SUBSCRIBED,
                    form,
                    sub.visitor,
                    f"form-list-{sub.id}",
                    now,
                    {"email": email},
                    list=definition["list"],
                )
            )
        result = Outcome(
            "pending" if pending else "subscribed", definition["success_message"], sub.id
        )
        list_name = definition["list"]
        # Written with the membership, spooled once it commits (backend/lists/outbox.py), so
        # the aggregator finds this profile by e-mail and a crash never loses the events.
        outbox.put(s, account_id, messages, outbox.spooler(runtime, ip), ip)
    if pending:
        send_confirmation(runtime, sub.id, email, list_name, confirm_url)
    return result


def record_view(runtime, account_id: str, form_id: int, visitor, ip: str | None) -> bool:
    """A storefront showed the form: one "Viewed Form" event through ingestion. Returns
    False when not counted: the same visitor's views of a form count once an hour (the
    message id repeats, so ingestion's dedup drops the copies), and an address gets at most
    VIEW_LIMIT views counted per window, so a script cannot inflate the numbers."""
    now = utcnow()
    with runtime.db.session() as s:
        form = service.live_form(s, account_id, form_id)
        try:
            check_rate(s, ip, now, kind="view:", limit=VIEW_LIMIT)
        except RateLimited:
            return False
    who = _visitor(visitor)
    mid = f"form-view-{form.id}-{hashlib.sha256(who.encode()).hexdigest()[:24]}-{now:%Y%m%d%H}"
    ingestor(runtime).accept(account_id, [form_event(VIEWED, form, who, mid, now)], ip)
    return True


__all__ = ["Outcome", "RateLimited", "SubmissionInvalid", "record_view", "submit"]
