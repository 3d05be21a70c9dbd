"""The Suppressions view's backend (Settings): who gets no marketing e-mail and why;
search, add or remove by hand with a reason, CSV export."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from backend.email.suppression import SUPPRESSED, Emit, set_status
from backend.errors import Invalid, NotFound
from backend.store.models import Profile

PAGE = 50


def _row(p: Profile) -> dict:
    return {
        "id": p.id,
        "email": p.email,
        "status": p.email_status,
        "at": p.email_status_at.isoformat() + "Z" if p.email_status_at else None,
        "reason": p.email_status_reason,
    }


def search(s: Session, account_id: str, query: str = "", offset: int = 0) -> dict:
    """Suppressed profiles whose e-mail contains `query`, most recent first."""
    where = [Profile.account_id == account_id, Profile.email_status.in_(sorted(SUPPRESSED))]
    q = (query or "").strip().lower()
    if q:
        where.append(or_(Profile.email.contains(q, autoescape=True)))
    total = s.scalar(select(func.count()).select_from(Profile).where(*where)) or 0
    rows = s.scalars(
        select(Profile)
        .where(*where)
        .order_by(Profile.email_status_at.desc(), Profile.id.desc())
        .offset(max(0, offset))
        .limit(PAGE)
    )
    return {"total": total, "rows": [_row(p) for p in rows]}


def add(s: Session, account_id: str, email: str, reason: str, emit: Emit | None) -> dict:
    """Suppress an address by hand (a profile is made for an address Tally has not seen,
    so a later sign-up cannot mail it unnoticed)."""
    address = (email or "").strip().lower()
    problems = []
    if "@" not in address or len(address) > 320 or any(c.isspace() for c in address):
        problems.append("email: not an e-mail address")
    if not (reason or "").strip():
        problems.append("reason: say why (it is kept with the suppression)")
    if problems:
        raise Invalid(problems=problems)
    profile = s.scalar(
        select(Profile).where(Profile.account_id == account_id, Profile.email == address)
    )
    if profile is None:
        profile = Profile(account_id=account_id, email=address, traits={"email": address})
        s.add(profile)
        s.flush()
    set_status(s, profile, "unsubscribed", f"by hand: {reason.strip()}", emit)
    return _row(profile)


def remove(s: Session, account_id: str, profile_id: int, reason: str) -> dict:
    """Lift a suppression by hand. The address becomes never_subscribed, not subscribed:
    subscribing again takes the person's own consent (the unsubscribe page's form)."""
    if not (reason or "").strip():
        raise Invalid(problems=["reason: say why (it is kept with the change)"])
    profile = s.get(Profile, profile_id)
    if profile is None or profile.account_id != account_id:
        raise NotFound(f"no profile {profile_id} in this account")
    set_status(
        s, profile, "never_subscribed", f"suppression lifted by hand: {reason.strip()}", None
    )
    return _row(profile)


def export_csv(s: Session, account_id: str) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["email", "status", "since", "reason"])
    for p in s.scalars(
        select(Profile)
        .where(Profile.account_id == account_id, Profile.email_status.in_(sorted(SUPPRESSED)))
        .order_by(Profile.email)
        .execution_options(yield_per=1000)
    ):
        row = _row(p)
        w.writerow([row["email"], row["status"], row["at"] or "", row["reason"] or ""])
    return out.getvalue()
