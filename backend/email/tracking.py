"""What the public e-mail links do: record opens and clicks (marking machine ones), answer
the click with the exact signed URL, and unsubscribe on a confirmed request.

Opens and clicks take the same durable path as a /v1 request (ingestion's spool); whom to
record them for is sealed in the token, so they read nothing from the database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend.email import events
from backend.email.suppression import Emit, set_status
from backend.email.tokens import BadToken, Signer
from backend.errors import NotFound
from backend.lists import growth
from backend.store.models import List, ListMember, Profile
from backend.store.touches import touch

MACHINE_SECONDS = 10  # an open or click this soon after sending is a scanner's
# Mail scanners, link checkers and privacy proxies that fetch every image or link they see.
# Gmail's image proxy fetches when the person opens the mail: a human open.
MACHINE_AGENTS = (
    "bot",
    "spider",
    "crawl",
    "preview",
    "scan",
    "barracuda",
    "mimecast",
    "proofpoint",
    "symantec",
    "forcepoint",
    "trendmicro",
    "microsoft office",
    "ms-office",
    "yahoomailproxy",
    "apple-mail-privacy",
    "python-requests",
    "python-urllib",
    "curl/",
    "wget/",
    "go-http-client",
    "headlesschrome",
    "okhttp",
    "java/",
)


@lru_cache(maxsize=8)
def signer_for(secret: str) -> Signer:
    return Signer.from_secret(secret)


def is_machine(user_agent: str | None, sent_at: int | None, now: float) -> bool:
    ua = (user_agent or "").lower()
    if not ua or any(marker in ua for marker in MACHINE_AGENTS):
        return True
    return sent_at is not None and 0 <= now - sent_at < MACHINE_SECONDS


@dataclass(frozen=True)
class Touch:
    """A verified open or click link."""

    account_id: str
    profile_id: int
    source: dict
    sent_at: int | None
    subject: str | None
    token: str
    identity: dict | None = None  # sealed in the token; else looked up (identity_of)

    @property
    def message_key(self) -> str:
        from backend.email.compose import message_key

        return message_key(self.source, self.profile_id)


def read_touch(signer: Signer, token: str) -> Touch:
    p = signer.read_message(token)
    account, pid, source = p.get("a"), p.get("p"), p.get("s")
    if not isinstance(account, str) or not isinstance(pid, int) or not isinstance(source, dict):
        raise BadToken("message")
    sent = p.get("t") if isinstance(p.get("t"), int) else None
    subject = p.get("j") if isinstance(p.get("j"), str) else None
    return Touch(account, pid, source, sent, subject, token, _identity(pid, p.get("i")))


def _identity(profile_id: int, sealed) -> dict | None:
    """The Segment identity sealed in the token (see events.identity), if it holds one."""
    if not isinstance(sealed, dict):
        return None
    if isinstance(sealed.get("u"), str) and sealed["u"]:
        return {"userId": sealed["u"]}
    if isinstance(sealed.get("e"), str) and "@" in sealed["e"]:
        return {"anonymousId": f"tally-profile-{profile_id}", "traits": {"email": sealed["e"]}}
    return None


def click_target(signer: Signer, token: str, sig: str, url: str | None) -> Touch:
    """The verified touch of a click link; BadToken unless Tally signed this exact URL."""
    if not url or not url.lower().startswith(("http://", "https://")):
        raise BadToken("link")
    touch = read_touch(signer, token)
    if not signer.check_link(token, url, sig):
        raise BadToken("link")
    return touch


def identity_of(s: Session, account_id: str, profile_id: int) -> dict:
    row = s.execute(
        select(Profile.id, Profile.external_id, Profile.email).where(
            Profile.id == profile_id, Profile.account_id == account_id
        )
    ).first()
    if row is None:
        raise NotFound("that recipient no longer exists")
    return events.identity(row)


def open_event(ident: dict, touch: Touch, user_agent: str | None, now: float | None = None):
    now = time.time() if now is None else now
    machine = is_machine(user_agent, touch.sent_at, now)
    return events.opened(ident, touch.source, touch.message_key, touch.subject, machine)


def click_event(ident, touch: Touch, url: str, user_agent: str | None, now: float | None = None):
    now = time.time() if now is None else now
    machine = is_machine(user_agent, touch.sent_at, now)
    return events.clicked(
        ident,
        touch.source,
        touch.message_key,
        touch.subject,
        url,
        machine,
    )


@dataclass(frozen=True)
class Unsubscribe:
    """A verified unsubscribe token: whom, from which e-mail, and its list if any."""

    account_id: str
    profile_id: int
    source: dict
    list_name: str | None


def read_unsubscribe(signer: Signer, token: str) -> Unsubscribe:
    p = signer.read_unsubscribe(token)
    account, pid, source = p.get("a"), p.get("p"), p.get("s")
    if not isinstance(account, str) or not isinstance(pid, int) or not isinstance(source, dict):
        raise BadToken("unsubscribe token")
    lst = p.get("l") if isinstance(p.get("l"), str) else None
    return Unsubscribe(account, pid, source, lst)


def recipient(s: Session, u: Unsubscribe) -> Profile:
    profile = s.get(Profile, u.profile_id)
    if profile is None or profile.account_id != u.account_id:
        raise NotFound("that recipient no longer exists")
    return profile


def unsubscribe(s: Session, u: Unsubscribe, emit: Emit, how: str) -> bool:
    """Unsubscribe from the account's marketing e-mail; True if it changed anything."""
    profile = recipient(s, u)
    return set_status(s, profile, "unsubscribed", how, emit, source=u.source)


def leave_list(s: Session, u: Unsubscribe) -> bool:
    """Leave only the list the e-mail came from; True if the profile was on it."""
    profile = recipient(s, u)
    if not u.list_name:
        return False
    list_id = s.scalar(
        select(List.id).where(List.account_id == u.account_id, List.name == u.list_name)
    )
    if list_id is None:
        return False
    gone = s.execute(
        delete(ListMember).where(ListMember.list_id == list_id, ListMember.profile_id == profile.id)
    )
    if gone.rowcount:  # a leave records no event: count it, and tell segments
        growth.record(s, list_id, "unsubscribe", leaves=1)
        touch(s, u.account_id, [profile.id])
    return bool(gone.rowcount)
