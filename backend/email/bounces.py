"""Delivery status notifications (RFC 3464) and complaint reports (RFC 5965, ARF), read
with the standard `email` package, and what they do to a profile.

Whom a report is about: the VERP envelope recipient it was sent to (b.<profile>.<source>.
<sig>@TALLY_BOUNCE_DOMAIN, signed so nobody can bounce someone else away), else the
signed unsubscribe token in the original message's List-Unsubscribe header (feedback loops
send ARF reports to one fixed address, with the original attached).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.email import events
from backend.email.suppression import SOFT_BOUNCE_LIMIT, Emit, set_status
from backend.email.tokens import BadToken, Signer, parse_source_code
from backend.store.db import utcnow
from backend.store.email_models import EmailBounce
from backend.store.models import Event, Profile

log = logging.getLogger("tally.email.bounces")

_STATUS_RE = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_UNSUB_RE = re.compile(r"/e/u/([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)")


@dataclass
class Report:
    kind: str  # hard | soft | complaint
    status: str | None = None
    diagnostic: str | None = None
    unsubscribe_tokens: list[str] = field(default_factory=list)


def parse(raw: bytes) -> Report | None:
    """What a piece of inbound mail reports, or None when it is neither a failed delivery
    nor a complaint (an auto-reply, a 'delivered' notice, spam, garbage)."""
    msg = message_from_bytes(raw, policy=policy.compat32)
    if msg.get_content_type() != "multipart/report" or not msg.is_multipart():
        return None
    report_type = (msg.get_param("report-type") or "").lower()
    parts = [p for p in msg.walk() if p is not msg]
    tokens = _tokens_in(parts)
    if report_type == "feedback-report":
        for part in parts:
            if part.get_content_type() == "message/feedback-report":
                return Report(
                    "complaint", diagnostic=_feedback_type(part), unsubscribe_tokens=tokens
                )
        return None
    if report_type != "delivery-status":
        return None
    for part in parts:
        if part.get_content_type() != "message/delivery-status":
            continue
        found = _delivery_status(part)
        if found is not None:
            kind, status, diagnostic = found
            return Report(kind, status, diagnostic, tokens)
    return None


def _blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [b for b in payload if isinstance(b, Message)]
    if isinstance(payload, str):  # some parsers leave the fields as text: parse them
        return [
            message_from_bytes(chunk.encode("utf-8", "replace"), policy=policy.compat32)
            for chunk in re.split(r"\r?\n\r?\n", payload)
            if chunk.strip()
        ]
    return []


def _delivery_status(part: Message) -> tuple[str, str | None, str | None] | None:
    """(hard | soft, status, diagnostic) of the first failed or delayed recipient."""
    for block in _blocks(part):
        action = str(block.get("Action", "")).strip().lower()
        status_m = _STATUS_RE.search(str(block.get("Status", "")))
        if not action and not status_m:
            continue  # the per-message fields
        diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())[:500] or None
        status = status_m.group(0) if status_m else None
        if action == "failed" and (status is None or status.startswith("5")):
            return "hard", status, diagnostic
        if action in ("failed", "delayed") or (status or "").startswith("4"):
            return "soft", status, diagnostic
    return None


def _feedback_type(part: Message) -> str:
    for block in _blocks(part):
        value = str(block.get("Feedback-Type", "")).strip().lower()
        if value:
            return value[:40]
    return "abuse"


def _tokens_in(parts: list[Message]) -> list[str]:
    """Signed unsubscribe tokens in the original message's headers, if it came along."""
    found: list[str] = []
    for part in parts:
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                found += _UNSUB_RE.findall(str(inner.get("List-Unsubscribe", "")))
        elif ctype == "text/rfc822-headers":
            text = part.get_payload(decode=True) or b""
            headers = message_from_bytes(text, policy=policy.compat32)
            found += _UNSUB_RE.findall(str(headers.get("List-Unsubscribe", "")))
    return found


@dataclass(frozen=True)
class Target:
    profile_id: int
    source: dict
    account_id: str | None = None  # known from an unsubscribe token; VERP leaves it to the row


def target_of(signer: Signer, rcpts: list[str], report: Report, bounce_domain: str | None):
    """Whom the report is about: a VERP recipient we signed, else a token in the original."""
    for rcpt in rcpts:
        local, _, domain = rcpt.rpartition("@")
        if bounce_domain and domain.lower() != bounce_domain:
            continue
        found = signer.read_verp(local)
        if found:
            return Target(found[0], parse_source_code(found[1]))
    for token in report.unsubscribe_tokens:
        try:
            p = signer.read_unsubscribe(token)
        except BadToken:
            continue
        if isinstance(p.get("p"), int) and isinstance(p.get("s"), dict):
            return Target(p["p"], p["s"], p.get("a") if isinstance(p.get("a"), str) else None)
    return None


def apply(s: Session, target: Target, report: Report, emit: Emit) -> str:
    """Record the report and change the profile's status; returns what happened."""
    profile = s.get(Profile, target.profile_id)
    if profile is None or (target.account_id and profile.account_id != target.account_id):
        return "ignored: unknown recipient"
    now = utcnow()
    s.add(
        EmailBounce(
            account_id=profile.account_id,
            profile_id=profile.id,
            kind=report.kind,
            status=report.status,
            diagnostic=report.diagnostic,
            source=target.source,
            received_at=now,
        )
    )
    props = {"status": report.status, "diagnostic": report.diagnostic}
    if report.kind == "complaint":
        set_status(
            s,
            profile,
            "complained",
            f"complaint ({report.diagnostic})",
            emit,
            source=target.source,
            at=now,
            props={"feedback_type": report.diagnostic},
        )
        return "complained"
    if report.kind == "hard":
        reason = f"hard bounce {report.status or ''} {report.diagnostic or ''}".strip()
        set_status(
            s,
            profile,
            "bounced",
            reason,
            emit,
            source=target.source,
            at=now,
            props={**props, "permanent": True},
        )
        return "bounced"
    profile.email_soft_bounces = _soft_in_a_row(s, profile) + 1
    if profile.email_soft_bounces >= SOFT_BOUNCE_LIMIT:
        set_status(
            s,
            profile,
            "bounced",
            f"{SOFT_BOUNCE_LIMIT} soft bounces in a row",
            emit,
            source=target.source,
            at=now,
            props={**props, "permanent": False},
        )
        return "bounced (soft bounces)"
    return f"soft bounce {profile.email_soft_bounces}"


def _soft_in_a_row(s: Session, profile: Profile) -> int:
    """The soft bounces counted so far, unless the person opened or clicked since the last
    one (then the mailbox works: the count starts again)."""
    if not profile.email_soft_bounces:
        return 0
    last_soft = s.scalar(
        select(func.max(EmailBounce.received_at)).where(
            EmailBounce.profile_id == profile.id, EmailBounce.kind == "soft"
        )
    )
    engaged = s.scalar(
        select(func.max(Event.ts)).where(
            Event.profile_id == profile.id, Event.metric.in_((events.OPENED, events.CLICKED))
        )
    )
    if last_soft and engaged and engaged > last_soft:
        return 0
    return profile.email_soft_bounces
