"""The account's time zone: an IANA name (default "UTC") that the console's days, "today",
report date ranges and report e-mail hours are in. Counters stay in UTC hours; queries
bucket them into local days (backend.analytics.series(..., tz=...)).

    with db.session() as s:
        set_timezone(s, account_id, "America/New_York")   # TimezoneInvalid if unknown
        tz = get_timezone(s, account_id)
        today = today_in(tz)
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from backend.errors import Invalid
from backend.store.models import Account

DEFAULT = "UTC"
MAX_LENGTH = 64  # Account.timezone's column


class TimezoneInvalid(Invalid):
    pass


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone this machine knows (tzdata), sorted; UTC always among them."""
    from zoneinfo import available_timezones

    # "localtime" and "Factory" are files of the tz database, not places to be in.
    names = available_timezones() - {"localtime", "Factory"}
    return tuple(sorted(names | {DEFAULT}))


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(zone_names())


# What people type for a zone whose IANA name does not say it (old names, nicknames, the
# country's big city): searched like the zone's own city.
ALIASES: dict[str, tuple[str, ...]] = {
    "America/New_York": ("NYC", "Eastern", "Boston", "Miami", "Washington"),
    "America/Chicago": ("Central", "Dallas", "Houston"),
    "America/Denver": ("Mountain",),
    "America/Los_Angeles": ("Pacific", "San Francisco", "Seattle", "LA"),
    "America/Sao_Paulo": ("Rio de Janeiro", "Brazil"),
    "Asia/Kolkata": ("Calcutta", "Bombay", "Mumbai", "Delhi", "India"),
    "Asia/Ho_Chi_Minh": ("Saigon",),
    "Asia/Shanghai": ("Beijing", "China"),
    "Asia/Tokyo": ("Japan",),
    "Australia/Sydney": ("Canberra",),
    "Europe/Kyiv": ("Kiev",),
    "Europe/London": ("UK", "Britain"),
    "Europe/Berlin": ("Germany",),
    "Europe/Paris": ("France",),
    "UTC": ("GMT", "Zulu"),
}


def place(name: str) -> str:
    """The zone's city as people write it: "America/New_York" -> "New York"."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


@lru_cache(maxsize=1024)
def label(name: str) -> str:
    """What the picker lists and searches: "America/New_York · New York, NYC, Eastern"."""
    words = [place(name)] if place(name) != name.rsplit("/", 1)[-1] else []
    words += ALIASES.get(name, ())
    return f"{name} · {', '.join(words)}" if words else name


def _plain(text: str) -> str:
    return " ".join(text.replace("_", " ").casefold().split())


def find(text: str) -> list[str]:
    """The zones whose name, city or alias `text` matches: exactly, else as a part."""
    want = _plain(text)
    if not want:
        return []
    names = zone_names()
    exact = [
        n
        for n in names
        if want in (_plain(n), _plain(place(n)), *(_plain(a) for a in ALIASES.get(n, ())))
    ]
    if exact:
        return exact
    return [n for n in names if want in _plain(label(n))]


def resolve(text) -> str:
    """The one zone typed text means (a zone name, a picker label, a city or an alias), or
    TimezoneInvalid saying what did not match: the text is never swapped for another zone."""
    if isinstance(text, str) and text.strip() in _known():
        return text.strip()
    if isinstance(text, str) and " · " in text and text.split(" · ", 1)[0] in _known():
        return text.split(" · ", 1)[0]
    hits = find(text) if isinstance(text, str) else []
    if len(hits) == 1:
        return hits[0]
    shown = str(text or "").strip()[:MAX_LENGTH]
    if not hits:
        raise TimezoneInvalid(
            f"No time zone matches “{shown}”: type a city (New York, Paris, Mumbai), a "
            "region (Europe) or an IANA name, and pick it from the list."
        )
    raise TimezoneInvalid(
        f"“{shown}” matches {len(hits)} time zones ({', '.join(hits[:3])}"
        f"{', …' if len(hits) > 3 else ''}): pick one from the list."
    )


def validate(name) -> str:
    """`name` as stored, or TimezoneInvalid saying what is wrong and how to fix it."""
    if not isinstance(name, str) or not name.strip():
        raise TimezoneInvalid(
            "Choose a time zone: an IANA name such as Europe/Paris or America/New_York."
        )
    clean = name.strip()
    if len(clean) > MAX_LENGTH or clean not in _known():
        raise TimezoneInvalid(
            f"Unknown time zone {clean[:MAX_LENGTH]!r}: pick one from the list, an IANA name "
            "such as Europe/Paris or America/New_York (or UTC)."
        )
    return clean


def get_timezone(s: Session, account_id: str) -> str:
    acc = s.get(Account, account_id)
    return (acc.timezone if acc is not None else None) or DEFAULT


def set_timezone(s: Session, account_id: str, name) -> str:
    """Validate and save the account's zone; report e-mail schedules move with it (their hour
    is a local hour). Nothing changes when the name is refused."""
    from backend.reports.schedules import reschedule_account

    clean = validate(name)
    acc = s.get(Account, account_id)
    if acc is None:
        raise LookupError(f"no account {account_id!r}")
    if acc.timezone != clean:
        acc.timezone = clean
        s.flush()
        reschedule_account(s, account_id)
    return clean


def today_in(tz: str, now: datetime | None = None) -> date:
    """The calendar date in zone `tz` at `now` (aware; default: the current time)."""
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(tz)).date()


def local_clock(s: Session, account_id: str, now: datetime | None = None) -> tuple[str, date]:
    """(the account's zone, today's date there): what a dashboard query needs."""
    tz = get_timezone(s, account_id)
    return tz, today_in(tz, now)
