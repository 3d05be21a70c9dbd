"""The editor's preview (the e-mail as one chosen profile will get it) and "send a test"."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.campaigns import schema
from backend.email.render import placeholders, render
from backend.errors import Invalid, NotFound
from backend.flows.placeholders import CURRENCY_KEY
from backend.store.models import Account, Profile


def _currency(s: Session, account_id: str) -> str | None:
    return s.scalar(select(Account.currency).where(Account.id == account_id))


def _profile(s: Session, account_id: str, body: dict) -> Profile | None:
    pid, email = body.get("profile_id"), body.get("profile_email")
    if pid is None and not email:
        return None
    q = select(Profile).where(Profile.account_id == account_id)
    if pid is not None:
        if isinstance(pid, bool) or not str(pid).isdigit() or int(pid) >= schema.MAX_ID:
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
    for field in ("subject", "preview_text", "body"):
        if not isinstance(body.get(field) or "", str):
            raise Invalid(problems=[f"{field}: must be text"])
    ab = body.get("ab") if isinstance(body.get("ab"), dict) else {}
    subjects = ab.get("subjects") if isinstance(ab.get("subjects"), list) else []
    if not all(isinstance(x, str) for x in subjects):
        raise Invalid(problems=["ab.subjects: must be a list of subjects"])
    p = _profile(s, account_id, body)
    ctx = placeholders(p.traits, {}, p.email) if p else dict(schema.SAMPLE)
    ctx[CURRENCY_KEY] = _currency(s, account_id)  # what {{ x | money }} prints in
    subject = body.get("subject") or ""
    return {
        "to": p.email if p else schema.SAMPLE["email"],
        "subject": render(subject, ctx, "subject").strip(),
        "subjects": [render(x, ctx, "subject").strip() for x in subjects or [] if x],
        "preview_text": render(body.get("preview_text") or "", ctx, "preview_text").strip(),
        "text": render(body.get("body") or "", ctx, "body"),
    }


def send_test(s: Session, account_id: str, body: dict, settings) -> dict:
    """One e-mail of the definition to `to`, personalised for the chosen profile (or a
    sample one), through the same compose and SMTP pool as the real send. Its tracking
    counts for no campaign ("campaign": "test")."""
    from backend.email.compose import EmailContext, compose
    from backend.email.smtp_pool import RecipientRefused, SmtpPool, SmtpUnavailable
    from backend.store.models import Account

    to = str(body.get("to") or "").strip()
    if "@" not in to or len(to) > 320 or any(ch.isspace() for ch in to):
        raise Invalid(problems=["to: an e-mail address to send the test to"])
    defn = schema.validate({**body, "audience": body.get("audience") or {}})
    p = _profile(s, account_id, body)
    if not settings.smtp_url:
        raise Invalid(problems=["TALLY_SMTP_URL is not set, so no e-mail can be sent"])
    who = SimpleNamespace(
        id=p.id if p else 0,
        email=to,
        traits=p.traits
        if p
        else {k: v for k, v in schema.SAMPLE.items() if k not in ("event", "profile", "email")},
    )
    subject = defn["ab"]["subjects"][0] if defn["ab"] else defn["subject"]
    ctx = EmailContext.for_account(settings, s.get(Account, account_id))
    out = compose(
        ctx,
        who,
        subject="[Test] " + subject,
        body=defn["body"],
        source={"campaign": "test", "variant": "A"},
        preview_text=defn["preview_text"],
    )
    with SmtpPool(settings.smtp_url, size=1) as pool:
        try:
            reply = pool.send(out.msg, out.mail_from, out.rcpt)
        except RecipientRefused as exc:
            raise Invalid(
                problems=[f"to: the SMTP server refused it ({exc.code} {exc.reply})"]
            ) from None
        except SmtpUnavailable as exc:
            raise Invalid(problems=[f"to: the SMTP server is unavailable ({exc.reason})"]) from None
    return {"sent": True, "to": to, "reply": str(reply)}
