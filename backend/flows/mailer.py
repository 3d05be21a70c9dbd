"""Send e-mail over SMTP from TALLY_SMTP_URL: smtp://[user:pass@]host[:port][?from=ADDR&starttls=1]
or smtps://... for implicit TLS."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlparse


class MailNotConfigured(RuntimeError):
    pass


class Mailer:
    def __init__(self, url: str | None, timeout: float = 10.0):
        self.url = url
        self.timeout = timeout
        if url:
            u = urlparse(url)
            if u.scheme not in ("smtp", "smtps"):
                raise ValueError("TALLY_SMTP_URL must start with smtp:// or smtps://")
            q = parse_qs(u.query)
            self.host = u.hostname or "127.0.0.1"
            self.port = u.port or (465 if u.scheme == "smtps" else 25)
            self.ssl = u.scheme == "smtps"
            self.starttls = q.get("starttls", ["0"])[0] in ("1", "true", "yes")
            self.user = unquote(u.username) if u.username else None
            self.password = unquote(u.password) if u.password else None
            self.sender = q.get("from", ["Tally <no-reply@tally.local>"])[0]

    def send(
        self,
        to: str | list[str],
        subject: str,
        text: str,
        html: str | None = None,
        attachments: list[tuple[str, str, bytes]] | None = None,
        inline: list[tuple[str, str, bytes]] | None = None,
    ) -> str:
        """Send one message; returns its Message-ID. Raises on any SMTP failure."""
        if not self.url:
            raise MailNotConfigured("TALLY_SMTP_URL is not set, so no e-mail can be sent")
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = to if isinstance(to, str) else ", ".join(to)
        msg["Subject"] = subject
        from email.utils import formatdate, make_msgid

        msg["Message-ID"] = make_msgid(domain="tally.local")
        msg["Date"] = formatdate(localtime=False)
        msg.set_content(text)
        if html:
            msg.add_alternative(html, subtype="html")
            html_part = msg.get_payload()[-1]
            for cid, mime, data in inline or []:  # images the HTML shows as <img src="cid:...">
                maintype, _, subtype = mime.partition("/")
                html_part.add_related(data, maintype=maintype, subtype=subtype, cid=f"<{cid}>")
        for filename, mime, data in attachments or []:
            maintype, _, subtype = mime.partition("/")
            msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
        cls = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        with cls(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(msg)
        return msg["Message-ID"]


class FlowMail:
    """Marketing e-mail for flows' e-mail nodes, through the one e-mail path
    (backend/email/): compose (tracking, unsubscribe, DKIM) and a pool of persistent SMTP
    connections. Report e-mails to staff stay on Mailer above: transactional, untracked."""

    CONTEXT_SECONDS = 60.0  # an account's renamed sender shows within a minute

    def __init__(self, settings):
        self.settings = settings
        self._pool = None
        self._contexts: dict[str, tuple[float, object]] = {}
        self._sends = None

    @property
    def sends(self):
        """The campaign engine's record, journal and rates for flow e-mails
        (backend/campaigns/flow_sends.py)."""
        if self._sends is None:
            from backend.campaigns.flow_sends import FlowSends
            from backend.campaigns.runner import limits_from

            self._sends = FlowSends(self.settings.var_dir / "campaigns", limits_from(self.settings))
        return self._sends

    @property
    def configured(self) -> bool:
        return bool(self.settings.smtp_url)

    def context(self, s, account_id: str):
        import time

        from backend.email.compose import EmailContext
        from backend.store.models import Account

        hit = self._contexts.get(account_id)
        if hit is None or time.monotonic() - hit[0] > self.CONTEXT_SECONDS:
            account = s.get(Account, account_id) or account_id
            hit = self._contexts[account_id] = (
                time.monotonic(),
                EmailContext.for_account(self.settings, account),
            )
        return hit[1]

    def send(self, outgoing) -> str:
        """Hand a composed e-mail to SMTP; RecipientRefused / SmtpUnavailable as the pool."""
        from backend.email.smtp_pool import SmtpPool

        if self._pool is None:
            self._pool = SmtpPool(self.settings.smtp_url, size=2)
        return self._pool.send(outgoing, outgoing.mail_from, outgoing.rcpt)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
