"""Double opt-in: a confirmation e-mail with a signed link; the profile joins the list only
when the link is opened. Mail goes out over SMTP from TALLY_SMTP_URL
(smtp://[user:pass@]host[:port][?from=ADDR&starttls=1], or smtps:// for implicit TLS)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlparse

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from backend import lists
from backend.errors import Invalid, TallyError
from backend.forms.events import SUBSCRIBED, form_event
from backend.lists import outbox
from backend.store.db import utcnow
from backend.store.form_models import Form, FormSubmission
from backend.store.models import Profile

LINK_MAX_AGE = 7 * 24 * 3600  # seconds a confirmation link stays valid


class ConfirmError(Invalid):
    """The confirmation link is not valid (expired, tampered with, its submission gone)."""


class ConfirmUnavailable(TallyError):
    """The confirmation e-mail cannot be sent now; the submission stays pending."""

    status = 503


def _signer(runtime) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(runtime.settings.require_secret(), salt="tally-form-confirm")


def token_for(runtime, submission_id: int) -> str:
    return _signer(runtime).dumps(submission_id)


def send_mail(smtp_url: str | None, to: str, subject: str, text: str) -> None:
    if not smtp_url:
        raise ConfirmUnavailable("TALLY_SMTP_URL is not set: double opt-in forms need e-mail")
    u = urlparse(smtp_url)
    if u.scheme not in ("smtp", "smtps"):
        raise ConfirmUnavailable("TALLY_SMTP_URL must start with smtp:// or smtps://")
    query = parse_qs(u.query)
    msg = EmailMessage()
    msg["From"] = query.get("from", ["Tally <no-reply@tally.local>"])[0]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(text)
    cls = smtplib.SMTP_SSL if u.scheme == "smtps" else smtplib.SMTP
    port = u.port or (465 if u.scheme == "smtps" else 25)
    with cls(u.hostname or "127.0.0.1", port, timeout=10) as smtp:
        if query.get("starttls", ["0"])[0] in ("1", "true", "yes"):
            smtp.starttls()
        if u.username:
            smtp.login(unquote(u.username), unquote(u.password or ""))
        smtp.send_message(msg)


def send_confirmation(runtime, submission_id: int, email: str, list_name: str, confirm_url) -> None:
    if confirm_url is None:
        raise ConfirmUnavailable("no confirmation URL to send")
    link = confirm_url(token_for(runtime, submission_id))
    try:
        send_mail(
            runtime.settings.smtp_url,
            email,
            f"Please confirm your subscription to {list_name}",
            f"Hello,\n\nplease confirm that you want to join {list_name} by opening "
            f"this link:\n\n{link}\n\nIf you did not ask for this, ignore this e-mail.\n",
        )
    except (OSError, smtplib.SMTPException) as exc:
        # The submission stays pending; submitting again sends a new link.
        raise ConfirmUnavailable(f"could not send the confirmation e-mail ({exc})") from None


def confirm(runtime, token: str) -> str:
    """Mark the submission confirmed and join its list; returns the list name.

    Opening the link twice is harmless: the membership and the event exist once."""
    try:
        submission_id = _signer(runtime).loads(token, max_age=LINK_MAX_AGE)
    except SignatureExpired:
        raise ConfirmError("this confirmation link has expired") from None
    except BadSignature:
        raise ConfirmError("this confirmation link is not valid") from None
    now = utcnow()
    with runtime.db.session() as s:
        sub = s.get(FormSubmission, submission_id)
        form = s.get(Form, sub.form_id) if sub else None
        profile = s.get(Profile, sub.profile_id) if sub and sub.profile_id else None
        if sub is None or form is None or profile is None:
            raise ConfirmError("this subscription no longer exists")
        list_name = (form.published or form.definition)["list"]
        if sub.status != "subscribed":
            sub.status, sub.confirmed_at = "subscribed", now
            # Confirming is the consent double opt-in asks for: stamp it now.
            lists.join(s, sub.account_id, list_name, profile, now, source=f"form:{form.id}")
        account_id, visitor, email = sub.account_id, sub.visitor, sub.email
        message = form_event(
            SUBSCRIBED,
            form,
            visitor,
            f"form-list-{sub.id}",
            now,
            {"email": email},
            list=list_name,
            double_opt_in=True,
        )
        # With the membership; spooled once it commits (backend/lists/outbox.py).
        outbox.put(s, account_id, [message], outbox.spooler(runtime))
    return list_name
