"""The editor's preview (the e-mail as one chosen profile will get it) and "send a test"."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.campaigns import schema
from backend.email.render import placeholders, render
from backend.errors import Invalid, NotFound
from backend.store.models import Profile


def _profile(s: Session, account_id: str, body: dict) -> Profile | None:
    pid, email = body.get("profile_id"), body.get("profile_email")
    if pid is None and not email:
        return None
    q = select(Profile).where(Profile.account_id == account_id)
    if pid is not None:
        if isinstance(pid, bool) or not str(pid).isdigit():
            raise Invalid(problems=["profile_id: a profile's id"])
        q = q.where(Profile.id == int(pid))
    else:
        q = q.where(Profile.email == str(email).strip())
    p = s.scalar(q)
    if p is None:
        raise NotFound("no such profile in this account")
    return p


def preview(s: Session, account_id: str, body: dict, settings) -> dict:
    """{"subject", "preview_text", "text", "to"} rendered for the chosen profile (or a sample
    one); template errors -> 400 naming the field, as when saving."""
    p = _profile(s, account_id, body)
    ctx = placeholders(p.traits, {}, p.email) if p else schema.SAMPLE
    subject = body.get("subject") or ""
    subjects = (body.get("ab") or {}).get("subjects") if isinstance(body.get("ab"), dict) else None
    return {
        "to": p.email if p else schema.SAMPLE["email"],
        "subject": render(subject, ctx, "subject").strip(),
        "subjects": [render(x, ctx, "subject").strip() for x in subjects or [] if x],
        "preview_text": render(body.get("preview_text") or "", ctx, "preview_text").strip(),
        "text": render(body.get("body") or "", ctx, "body"),
    }


def send_test(s: Session, account_id: str, body: dict, settings) -> dict:
    raise Invalid(problems=["test sends arrive with the e-mail layer's compose"])
