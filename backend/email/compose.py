"""Build one marketing e-mail for one profile: render the placeholders, make the HTML part
from the text, rewrite every link to a signed redirect, add the tracking image, the
unsubscribe headers (RFC 8058) and footer, the VERP envelope sender, and sign it (DKIM).

`compose` does no I/O: suppression is the caller's check (backend/email/suppression.py) at
the moment of sending, and the SMTP pool sends what it returns.
"""

from __future__ import annotations

import binascii
import hashlib
import html
import re
import time
from dataclasses import dataclass, field
from email.header import Header
from email.message import EmailMessage
from email.policy import compat32
from email.utils import formatdate, parseaddr
from functools import cached_property
from urllib.parse import quote, urlparse

from backend.email.dkim_sign import DkimKey
from backend.email.render import find_urls, placeholders, render, text_to_html_paragraphs
from backend.email.tokens import Signer, source_code
from backend.errors import Invalid

# One address, no spaces or control characters (a header or SMTP command injection).
_ADDRESS_RE = re.compile(r"[^\s@<>()\[\],;:\\\"]{1,64}@[A-Za-z0-9.-]{1,253}")


class WireMessage(EmailMessage):
    """An EmailMessage that keeps the exact bytes compose signed (`wire`), so the SMTP pool
    sends those bytes rather than serialising again. Change nothing after compose."""

    wire: bytes | None = None


@dataclass(frozen=True)
class EmailContext:
    """What compose needs about the sending account and the deployment, built once per send
    (a campaign) or per scheduler pass (flows)."""

    account_id: str
    account_name: str
    public_url: str
    sender: str  # the From header
    signer: Signer
    bounce_domain: str | None = None
    dkim: DkimKey | None = None
    message_domain: str = "tally.local"
    currency: str = "USD"  # the account's, for {{ x | money }}
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def for_account(cls, runtime_or_settings, account) -> EmailContext:
        """`account` is an Account row or its id; settings, or a Runtime holding them."""
        settings = getattr(runtime_or_settings, "settings", runtime_or_settings)
        account_id = account if isinstance(account, str) else account.id
        name = account if isinstance(account, str) else (account.name or account.id)
        sender = _sender_of(settings.smtp_url)
        dkim = DkimKey.from_settings(settings)
        domain = (
            settings.dkim_domain
            or settings.bounce_domain
            or (parseaddr(sender)[1].rpartition("@")[2] or "tally.local")
        )
        return cls(
            account_id=account_id,
            account_name=name,
            public_url=settings.public_url.rstrip("/"),
            sender=sender,
            signer=Signer.from_secret(settings.require_secret()),
            bounce_domain=settings.bounce_domain,
            dkim=dkim,
            message_domain=domain,
            currency=getattr(account, "currency", None) or "USD",
        )


@dataclass
class Outgoing:
    wire: bytes  # the exact bytes to send (signed when DKIM is on)
    mail_from: str  # the envelope sender (Return-Path): VERP on TALLY_BOUNCE_DOMAIN
    rcpt: str
    message_key: str
    subject: str
    links: list[str]  # the original URLs, in order, each rewritten in the message
    headers: list = field(default_factory=list, repr=False)  # (name, value), DKIM first
    parts: tuple = field(default=(), repr=False)  # (subtype, quoted-printable body)

    @cached_property
    def msg(self) -> WireMessage:
        """The message as an object, built on first use only: the sender sends `wire`,
        and three EmailMessage objects an e-mail cost ~15 us it does not need."""
        msg = WireMessage(policy=compat32)
        msg._headers += list(self.headers)
        payload = []
        for subtype, body in self.parts:
            part = WireMessage(policy=compat32)
            part._headers += [
                ("Content-Type", f'text/{subtype}; charset="utf-8"'),
                ("Content-Transfer-Encoding", "quoted-printable"),
            ]
            part.set_payload(body)
            payload.append(part)
        msg.set_payload(payload)
        msg.wire = self.wire
        return msg


def message_key(source: dict, profile_id: int) -> str:
    """The deterministic id of the e-mail `source` sends `profile_id` (one per pair; a
    flow that lets a profile in again puts the run in its source)."""
    if source.get("campaign") is not None:
        base = f"c{source['campaign']}-{source.get('variant') or ''}"
    else:
        base = f"f{source.get('flow')}-{source.get('node')}"
        if source.get("run") is not None:
            base += f"-r{source['run']}"
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in base)[:80]
    return f"{safe}-p{profile_id}"


def _sender_of(smtp_url: str | None) -> str:
    from urllib.parse import parse_qs

    q = parse_qs(urlparse(smtp_url or "").query)
    return q.get("from", ["Tally <no-reply@tally.local>"])[0]


def compose(
    ctx: EmailContext,
    profile,
    *,
    subject: str,
    body: str,
    source: dict,
    preview_text: str | None = None,
    event: dict | None = None,
) -> Outgoing:
    """One e-mail for one profile. Raises TemplateInvalid (an Invalid) naming the field
    and placeholder when the subject or body cannot be rendered."""
    rcpt = profile.email or ""
    if not _ADDRESS_RE.fullmatch(rcpt):
        raise Invalid(problems=[f"email: {rcpt[:80]!r} is not an address Tally can send to"])
    values = placeholders(profile.traits, event, profile.email, ctx.currency)
    subject_text = " ".join(render(subject, values, "subject").split())
    text = render(body, values, "body")
    preview = " ".join(render(preview_text, values, "preview_text").split()) if preview_text else ""
    key = message_key(source, profile.id)
    sent = int(time.time())
    external_id = getattr(profile, "external_id", None)
    payload = {"a": ctx.account_id, "p": profile.id, "s": _compact(source), "t": sent}
    # Whom the open or click is recorded for, as ingestion resolves it (sealed in the token).
    payload["i"] = {"u": external_id} if external_id else {"e": rcpt}
    if subject_text:
        payload["j"] = subject_text[:200]
    signer, base = ctx.signer, ctx.public_url
    msg_token = signer.message_token(payload)
    unsub_payload = {"a": ctx.account_id, "p": profile.id, "s": _compact(source)}
    if source.get("list"):
        unsub_payload["l"] = str(source["list"])[:200]
    unsub_url = f"{base}/e/u/{signer.unsubscribe_token(unsub_payload)}"
    open_url = f"{base}/e/o/{msg_token}.gif"

    tracked: dict[str, str] = {}

    def link_of(url: str) -> str:
        t = tracked.get(url)
        if t is None:
            sig = signer.link_sig(msg_token, url)
            t = tracked[url] = f"{base}/e/c/{msg_token}/{sig}?u={quote(url, safe='')}"
        return t

    # Text part: every URL replaced by its tracked address, then the footer.
    chunks, pos = [], 0
    for start, end, url in find_urls(text):
        chunks += [text[pos:start], link_of(url)]
        pos = end
    chunks.append(text[pos:])
    footer_text = f"You get this e-mail from {ctx.account_name}. Unsubscribe: {unsub_url}"
    text_part = "".join(chunks).rstrip() + "\n\n-- \n" + footer_text + "\n"
    html_part = _html(
        ctx, subject_text, preview, text_to_html_paragraphs(text, link_of), unsub_url, open_url
    )

    msg_id = f"<{key}.{_short(ctx.account_id + key)}@{ctx.message_domain}>"
    headers = [
        ("From", ctx.sender),
        ("To", profile.email),
        ("Subject", _header_text(subject_text)),
        ("Date", _date(sent)),
        ("Message-ID", msg_id),
        ("List-Unsubscribe", f"<{unsub_url}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ("Feedback-ID", f"{source_code(source)}:{ctx.account_id}:tally"),
    ]
    headers, parts, wire = _build(
        headers, text_part, html_part, "=_tally_" + _short(key + "boundary", 24)
    )
    mail_from = _verp(ctx, profile.id, source)
    if ctx.dkim is not None:
        header = ctx.dkim.sign(wire)
        name, _, value = header.decode("ascii").partition(":")
        headers.insert(0, (name, value.strip()))
        wire = header + wire
    return Outgoing(
        wire, mail_from, profile.email, key, subject_text, list(tracked), headers, parts
    )


def _header_text(text: str) -> str:
    """A header value as it goes on the wire: ASCII as is, anything else RFC 2047."""
    if text.isascii():
        return text[:900]
    # encode(), not str(): str() gives the text back undecorated, and the wire is ASCII.
    return Header(text[:300], "utf-8").encode(linesep="\r\n")


def _qp(text: str) -> str:
    # binascii's quoted-printable (C): lines of at most 76 characters, CRLF line ends.
    return binascii.b2a_qp(text.encode("utf-8")).decode("ascii").replace("\n", "\r\n")


def _build(headers, text: str, html_text: str, boundary: str):
    """The headers, both parts and the exact bytes to send. Written out by hand: the email
    package's generator and header registry cost ~5 ms a message (bench/tracking.py), the
    whole budget of 3,000 e-mails a second several times over. tests/email/test_compose.py
    parses `wire` back and compares with the object view (Outgoing.msg)."""
    text_qp, html_qp = _qp(text), _qp(html_text)
    headers = [
        *headers,
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
    ]
    head = "".join(f"{n}: {v}\r\n" for n, v in headers)
    wire = (
        f"{head}\r\n--{boundary}\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        f"{text_qp}\r\n--{boundary}\r\n"
        'Content-Type: text/html; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        f"{html_qp}\r\n--{boundary}--\r\n"
    )
    return headers, (("plain", text_qp), ("html", html_qp)), wire.encode("ascii")


def _verp(ctx: EmailContext, profile_id: int, source: dict) -> str:
    if not ctx.bounce_domain:
        plain = ctx._cache.get("mail_from")
        if plain is None:  # parseaddr costs ~20 us; the From of a context never changes
            plain = ctx._cache["mail_from"] = parseaddr(ctx.sender)[1] or "no-reply@tally.local"
        return plain
    return f"{ctx.signer.verp_local(profile_id, source_code(source))}@{ctx.bounce_domain}"


_dates: dict[int, str] = {}


def _date(sent: int) -> str:
    """formatdate, once a second rather than once a message."""
    text = _dates.get(sent)
    if text is None:
        _dates.clear()
        text = _dates[sent] = formatdate(sent, usegmt=True)
    return text


def _compact(source: dict) -> dict:
    return {k: source[k] for k in ("campaign", "variant", "flow", "node") if k in source}


def _short(text: str, n: int = 10) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


def _html(ctx, subject, preview, body_html, unsub_url, open_url) -> str:
    pre = (
        f'<div style="display:none;max-height:0;overflow:hidden">{html.escape(preview)}</div>'
        if preview
        else ""
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width"><title>{html.escape(subject)}</title>'
        '</head><body style="margin:0;background:#f8f9fa;font-family:system-ui,sans-serif;'
        'color:#212529">' + pre + '<div style="max-width:600px;margin:0 auto;padding:24px;'
        'background:#ffffff;font-size:16px;line-height:1.5">' + body_html + "</div>"
        '<p style="max-width:600px;margin:0 auto;padding:16px 24px;font-size:12px;color:#495057">'
        f"You get this e-mail from {html.escape(ctx.account_name)}. "
        f'<a href="{html.escape(unsub_url)}" style="color:#495057">Unsubscribe</a></p>'
        f'<img src="{html.escape(open_url)}" width="1" height="1" alt="" '
        'style="display:block;border:0"></body></html>'
    )
