"""The DNS records a sender publishes so mailbox providers trust Tally's mail (Settings ›
Sending): DKIM's public key, SPF for the bounce domain, DMARC for the From domain, and the
MX that brings bounces to the listener."""

from __future__ import annotations

from email.utils import parseaddr
from urllib.parse import parse_qs, urlparse

from backend.email.dkim_sign import DkimKey


def records(settings) -> list[dict]:
    """[{"name", "type", "value", "why", "ready"}] for what is configured; `ready` is False
    where a setting is missing and the value is an example."""
    sender = parse_qs(urlparse(settings.smtp_url or "").query).get("from", [""])[0]
    from_domain = parseaddr(sender)[1].rpartition("@")[2] or "example.com"
    out = []
    dkim = DkimKey.from_settings(settings)
    if dkim is not None:
        out.append(
            {
                "name": f"{dkim.selector}._domainkey.{dkim.domain}",
                "type": "TXT",
                "value": dkim.public_record(),
                "why": "DKIM: receivers check each e-mail's signature with this key.",
                "ready": True,
            }
        )
    else:
        out.append(
            {
                "name": "SELECTOR._domainkey.YOUR-DOMAIN",
                "type": "TXT",
                "value": "set TALLY_DKIM_DOMAIN, TALLY_DKIM_SELECTOR and TALLY_DKIM_KEY_FILE "
                "(openssl genrsa -out dkim.pem 2048) to sign mail and show the key here",
                "why": "DKIM: Gmail and Yahoo require bulk mail signed for the From domain.",
                "ready": False,
            }
        )
    bounce = settings.bounce_domain
    out.append(
        {
            "name": bounce or "BOUNCE-DOMAIN",
            "type": "TXT",
            "value": "v=spf1 a mx ~all",
            "why": "SPF for the envelope sender (VERP on the bounce domain): list the "
            "servers that send your mail (add include: for an SMTP provider).",
            "ready": bool(bounce),
        }
    )
    if bounce:
        host = (settings.bounce_smtp or "").rpartition(":")[0]
        out.append(
            {
                "name": bounce,
                "type": "MX",
                "value": f"10 {host if host not in ('', '0.0.0.0', '::') else 'THIS-SERVER'}.",
                "why": "Bounces and complaints come back to Tally's listener "
                f"(TALLY_BOUNCE_SMTP, now {settings.bounce_smtp or 'not set'}).",
                "ready": bool(settings.bounce_smtp),
            }
        )
    out.append(
        {
            "name": f"_dmarc.{from_domain}",
            "type": "TXT",
            "value": f"v=DMARC1; p=none; rua=mailto:dmarc@{from_domain}; adkim=r; aspf=r",
            "why": "DMARC: what receivers do with mail failing DKIM and SPF alignment; start "
            "with p=none, then quarantine once reports look clean.",
            "ready": bool(sender) and (dkim is None or dkim.domain.endswith(from_domain)),
        }
    )
    return out
