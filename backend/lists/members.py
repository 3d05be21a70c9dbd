"""Members of a list in bulk: add and remove (the API, CSV imports), a page by cursor, and
the CSV export read in keyset pages so a million members never sit in memory at once.

Adding mirrors `backend.lists.join` for many profiles at once: consent subscribes a
never-subscribed profile (never an unsubscribed, bounced or complained one), a member
joining again keeps their membership and gains the consent time if they had none."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, String, any_, literal, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from backend.ingest.profiles import ProfileResolver
from backend.lists import growth
from backend.lists.service import get_list, member_count
from backend.store import touches
from backend.store.models import List, ListMember, Profile, ProfileAlias

SUPPRESSED = ("unsubscribed", "bounced", "complained")
CHUNK = 1000  # ids in one IN (...): well under SQLite's and PostgreSQL's limits
MAX_PAGE = 1000
EXPORT_PAGE = 5000
EXPORT_COLUMNS = (
    "email",
    "external_id",
    "first_name",
    "last_name",
    "phone",
    "email_status",
    "joined_at",
    "consent_at",
    "profile_id",
)


@dataclass(frozen=True)
class Person:
    id: int
    email: str | None
    external_id: str | None
    status: str


def touch(s: Session, account_id: str, profile_ids: Iterable[int]) -> None:
    """Ask the live segment watcher to re-evaluate these profiles within seconds: a leave
    records no event, and an import's events may wait behind a backlog."""
    ids = list(profile_ids)
    if ids:
        touches.touch(s, account_id, ids)


def _in(s: Session, column, values: list):
    """`column IN values`; on PostgreSQL as `= ANY(one array)`: psycopg parses a statement
    of a thousand parameters anew each time, which cost more than running it."""
    if s.get_bind().dialect.name == "postgresql":
        kind = String() if values and isinstance(values[0], str) else BigInteger()
        return column == any_(literal(list(values), ARRAY(kind)))
    return column.in_(values)


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def resolve(
    s: Session, account_id: str, rows: list[tuple[str, dict]], now: datetime
) -> tuple[list[Person], list[tuple[int, str]], int]:
    """E-mail addresses (with traits) -> profiles, through ingestion's resolver (so aliases
    and merges stay right), created when new. Returns (people, refused, created) where
    refused is [(index in rows, reason)] for suppressed addresses, left untouched."""
    msgs = [{"u": None, "a": None, "tr": {"email": e, **tr}, "t": "identify"} for e, tr in rows]
    resolver = ProfileResolver(s, account_id, msgs)
    people, refused, resolved, created = [], [], [], 0
    for i, (m, (email, _tr)) in enumerate(zip(msgs, rows, strict=True)):
        known = resolver.by_email.get(email)
        status = known.email_status if known is not None else "never_subscribed"
        if status in SUPPRESSED:
            refused.append((i, f"suppressed: {status}"))
            continue
        created += known is None
        # An import is not a visit: a known profile keeps its last-seen time.
        ts = known.last_seen if known is not None and known.last_seen else now
        resolved.append((resolver.resolve(m, ts, None), status))
    resolver.finish()
    for p, status in resolved:
        p = resolver.final(p)
        people.append(Person(p.id, p.email, p.external_id, p.email_status or status))
    return people, refused, created


def add(
    s: Session,
    lst: List,
    people: list[Person],
    consent: bool,
    source: str,
    now: datetime,
    reason: str = "",
) -> tuple[list[Person], int]:
    """Make these profiles members. Returns (the new members, how many already were)."""
    seen: dict[int, Person] = {}
    for p in people:
        seen.setdefault(p.id, p)
    ids = list(seen)
    have: set[int] = set()
    for part in _chunks(ids):
        have.update(
            s.scalars(
                select(ListMember.profile_id).where(
                    ListMember.list_id == lst.id, _in(s, ListMember.profile_id, part)
                )
            )
        )
    new = [seen[i] for i in ids if i not in have]
    consent_at = now if consent else None
    if new:
        s.execute(  # Core, not the ORM's bulk path: a third of add()'s time went there
            ListMember.__table__.insert(),
            [
                {"list_id": lst.id, "profile_id": p.id, "consent_at": consent_at, "created_at": now}
                for p in new
            ],
        )
    subscribed: list[int] = []
    if consent:
        for part in _chunks(sorted(have)):
            s.execute(
                update(ListMember)
                .where(
                    ListMember.list_id == lst.id,
                    _in(s, ListMember.profile_id, part),
                    ListMember.consent_at.is_(None),
                )
                .values(consent_at=now)
            )
        subscribed = _subscribe(s, ids, now, reason or f"consented joining {lst.name}")
    growth.record(s, lst.id, source, joins=len(new), at=now)
    touch(s, lst.account_id, sorted({p.id for p in new} | set(subscribed)))
    return new, len(have)


def _subscribe(s: Session, ids: list[int], now: datetime, reason: str) -> list[int]:
    """never_subscribed -> subscribed, as backend.email.suppression.set_status does for one
    profile (it records no event for this change); returns the ids that changed."""
    changed: list[int] = []
    for part in _chunks(ids):
        changed += s.scalars(
            update(Profile)
            .where(_in(s, Profile.id, part), Profile.email_status == "never_subscribed")
            .values(
                email_status="subscribed",
                email_status_at=now,
                email_status_reason=reason[:300],
                email_soft_bounces=0,
            )
            .returning(Profile.id),
            execution_options={"synchronize_session": False},
        ).all()
    if changed:
        s.flush()
        s.expire_all()  # profiles loaded in this session now have a stale status
    return changed


def remove(s: Session, lst: List, profile_ids: list[int], source: str, now: datetime) -> int:
    """End these memberships; returns how many there were. Counted as leaves, and the
    profiles re-evaluated by segments (a leave records no event)."""
    gone: list[int] = []
    for part in _chunks(sorted(set(profile_ids))):
        ids = list(
            s.scalars(
                select(ListMember.profile_id).where(
                    ListMember.list_id == lst.id, _in(s, ListMember.profile_id, part)
                )
            )
        )
        if ids:
            s.execute(
                ListMember.__table__.delete().where(
                    ListMember.list_id == lst.id, _in(s, ListMember.profile_id, ids)
                )
            )
            gone += ids
    growth.record(s, lst.id, source, leaves=len(gone), at=now)
    touch(s, lst.account_id, gone)
    return len(gone)


def people_by_id(s: Session, account_id: str, ids: list[int]) -> dict[int, Person]:
    out: dict[int, Person] = {}
    for part in _chunks(sorted(set(ids))):
        for p in s.execute(
            select(Profile.id, Profile.email, Profile.external_id, Profile.email_status).where(
                Profile.account_id == account_id, _in(s, Profile.id, part)
            )
        ):
            out[p[0]] = Person(p[0], p[1], p[2], p[3] or "never_subscribed")
    return out


def ids_by_email(s: Session, account_id: str, emails: list[str]) -> list[int]:
    out: list[int] = []
    for part in _chunks(emails):
        out += s.scalars(
            select(Profile.id).where(Profile.account_id == account_id, _in(s, Profile.email, part))
        )
    return out


def _member(p: Profile, lm: ListMember) -> dict:
    traits = p.traits or {}
    return {
        "id": p.id,
        "email": p.email,
        "external_id": p.external_id,
        "first_name": traits.get("first_name"),
        "last_name": traits.get("last_name"),
        "email_status": p.email_status,
        "joined_at": lm.created_at.isoformat() + "Z",
        "consent_at": lm.consent_at.isoformat() + "Z" if lm.consent_at else None,
    }


def _page_rows(s: Session, list_id: int, limit: int, after: int | None):
    stmt = (
        select(Profile, ListMember)
        .join(ListMember, ListMember.profile_id == Profile.id)
        .where(ListMember.list_id == list_id)
        .order_by(Profile.id)
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(Profile.id > after)
    return s.execute(stmt).all()


def page(s: Session, account_id: str, list_id: int, limit: int = 100, after=None) -> dict:
    """{"count", "members", "next"}: members by profile id; `next` is the following cursor."""
    lst = get_list(s, account_id, list_id)
    rows = _page_rows(s, lst.id, limit + 1, after)
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "count": member_count(s, lst.id),
        "members": [_member(p, lm) for p, lm in rows],
        "next": str(rows[-1][0].id) if more and rows else None,
    }


def export_csv(db, account_id: str, list_id: int) -> Iterator[str]:
    """The list as CSV text, yielded a keyset page at a time (each page its own short
    session), so the response streams and memory stays flat whatever the size."""
    with db.session() as s:
        get_list(s, account_id, list_id)  # NotFound before the first byte
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(EXPORT_COLUMNS)
    yield buf.getvalue()
    after = None
    while True:
        buf.seek(0)
        buf.truncate()
        with db.session() as s:
            rows = _page_rows(s, list_id, EXPORT_PAGE, after)
            for p, lm in rows:
                m, traits = _member(p, lm), p.traits or {}
                out.writerow(
                    [
                        m["email"] or "",
                        m["external_id"] or "",
                        _text(traits.get("first_name")),
                        _text(traits.get("last_name")),
                        _text(traits.get("phone")),
                        m["email_status"],
                        m["joined_at"],
                        m["consent_at"] or "",
                        p.id,
                    ]
                )
        if not rows:
            return
        after = rows[-1][0].id
        yield buf.getvalue()


def _text(value) -> str:
    """A spreadsheet runs a cell that starts with = + - @ as a formula: quote it out (a
    phone number such as +1 555 0100 stays as it is)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@") and not _PHONE.fullmatch(text):
        return "'" + text
    return text


_PHONE = re.compile(r"[+-]?[\d ()./-]+")


def aliases(s: Session, ids: list[int]) -> dict[int, str]:
    """An anonymous id of each profile (for events about profiles without e-mail or user id)."""
    out: dict[int, str] = {}
    for part in _chunks(sorted(set(ids))):
        for pid, anon in s.execute(
            select(ProfileAlias.profile_id, ProfileAlias.anonymous_id).where(
                _in(s, ProfileAlias.profile_id, part)
            )
        ):
            out.setdefault(pid, anon)
    return out
