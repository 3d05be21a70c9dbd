"""Campaigns as the API and the pages see them: CRUD, send now or at a time in the account's
time zone, cancel, pause, resume. The sender (backend/campaigns/sender.py) does the sending;
here only states change, each refused with a Conflict when the campaign is past it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.timezones import get_timezone
from backend.campaigns import audience, schema, stats
from backend.errors import Conflict, Invalid, NotFound
from backend.store.campaign_models import Campaign
from backend.store.db import utcnow

EDITABLE = ("draft", "cancelled")
DEFINITION = ("name", "subject", "preview_text", "body", "audience", "smart_sending_hours", "ab")


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() + "Z" if t else None


def definition(c: Campaign) -> dict:
    d = {k: getattr(c, k) for k in DEFINITION}
    if d["ab"] is None:
        del d["ab"]
    return d


def to_json(s: Session, c: Campaign, with_stats: bool = True) -> dict:
    out = {
        "id": c.id,
        **definition(c),
        "status": c.status,
        "send_at": _iso(c.send_at),
        "started_at": _iso(c.started_at),
        "finished_at": _iso(c.finished_at),
        "winner": c.winner,
        "error": c.error,
        "created_at": _iso(c.created_at),
        "updated_at": _iso(c.updated_at),
    }
    if with_stats:
        out["stats"] = stats.stats(s, c)
    return out


def get(s: Session, account_id: str, campaign_id: int, lock: bool = False) -> Campaign:
    q = select(Campaign).where(Campaign.id == campaign_id, Campaign.account_id == account_id)
    if lock:
        q = q.with_for_update()
    c = s.scalar(q)
    if c is None:
        raise NotFound(f"no campaign {campaign_id}")
    return c


def list_campaigns(s: Session, account_id: str) -> list[Campaign]:
    q = select(Campaign).where(Campaign.account_id == account_id)
    return list(s.scalars(q.order_by(Campaign.created_at.desc(), Campaign.id.desc())))


def _checked(s: Session, account_id: str, body: dict, for_send: bool = False) -> dict:
    defn = schema.validate(body, for_send=for_send)
    audience.resolve(s, account_id, defn["audience"])  # unknown -> 400, another's -> 404
    return defn


def create(s: Session, account_id: str, body: dict) -> Campaign:
    c = Campaign(account_id=account_id, **_checked(s, account_id, body))
    s.add(c)
    s.flush()
    return c


def update(s: Session, account_id: str, campaign_id: int, body: dict) -> Campaign:
    c = get(s, account_id, campaign_id, lock=True)
    if c.status not in EDITABLE:
        hint = " (cancel it first)" if c.status == "scheduled" else ""
        raise Conflict(f"campaign {campaign_id} is {c.status}: it can no longer be edited{hint}")
    for k, v in _checked(s, account_id, body).items():
        setattr(c, k, v)
    c.status, c.send_at, c.updated_at = "draft", None, utcnow()
    return c


def delete(s: Session, account_id: str, campaign_id: int) -> None:
    c = get(s, account_id, campaign_id, lock=True)
    if c.status in ("sending", "paused"):
        raise Conflict(f"campaign {campaign_id} is {c.status}: cancel it before deleting it")
    s.delete(c)


def parse_send_at(value, tz: str) -> datetime:
    """An ISO time -> naive UTC. Without an offset it is a time in the account's time zone."""
    if not isinstance(value, str):
        raise Invalid(problems=["send_at: an ISO date and time, e.g. 2026-11-27T09:00"])
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if t.tzinfo is None:
            t = t.replace(tzinfo=ZoneInfo(tz))
        return t.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise Invalid(problems=[f"send_at: {value[:40]!r} is not an ISO date and time"]) from None


def send(s: Session, account_id: str, campaign_id: int, body: dict, now: datetime) -> Campaign:
    """Schedule (send_at) or send now (the sender starts it within a second or so)."""
    c = get(s, account_id, campaign_id, lock=True)
    if c.status not in EDITABLE:
        raise Conflict(f"campaign {campaign_id} is {c.status}: it cannot be sent again")
    # Checked again: a list or segment may have gone since the draft was saved.
    _checked(s, account_id, {**definition(c), **({"ab": c.ab} if c.ab else {})}, for_send=True)
    if "send_at" in body and body["send_at"] is not None:
        at = parse_send_at(body["send_at"], get_timezone(s, account_id))
        if at < now.replace(microsecond=0):
            raise Invalid(problems=["send_at: must be in the future"])
    else:
        at = now
    c.status, c.send_at, c.error, c.updated_at = "scheduled", at, None, utcnow()
    return c


def cancel(s: Session, account_id: str, campaign_id: int) -> Campaign:
    """Before it starts, or while it sends: who has not been sent to is not sent to."""
    c = get(s, account_id, campaign_id, lock=True)
    if c.status not in ("scheduled", "sending", "paused"):
        raise Conflict(f"campaign {campaign_id} is {c.status}: there is nothing to cancel")
    c.status, c.finished_at, c.updated_at = "cancelled", utcnow(), utcnow()
    return c


def pause(s: Session, account_id: str, campaign_id: int) -> Campaign:
    c = get(s, account_id, campaign_id, lock=True)
    if c.status != "sending":
        raise Conflict(f"campaign {campaign_id} is {c.status}: only a sending one pauses")
    c.status, c.error, c.updated_at = "paused", "paused by you", utcnow()
    return c


def resume(s: Session, account_id: str, campaign_id: int) -> Campaign:
    c = get(s, account_id, campaign_id, lock=True)
    if c.status != "paused":
        raise Conflict(f"campaign {campaign_id} is {c.status}: only a paused one resumes")
    c.status, c.error, c.retry_at, c.updated_at = "sending", None, None, utcnow()
    return c


def recipient_count(s: Session, account_id: str, body: dict, now: datetime) -> dict:
    """The editor's live count for a definition not yet saved (names checked like a save)."""
    aud = schema.parse_audience(body.get("audience"), problems := [])
    if problems:
        raise Invalid(problems=problems)
    hours = body.get("smart_sending_hours", 16)
    if isinstance(hours, bool) or not isinstance(hours, int) or not 0 <= hours <= 720:
        raise Invalid(problems=["smart_sending_hours: whole hours from 0 (off) to 720"])
    return audience.count(s, account_id, aud, hours, now)
