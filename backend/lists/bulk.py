"""Members added or removed by the API: {"emails": [...]} or {"profile_ids": [...]}, with
a consent flag; the joins' events go through the outbox (backend/lists/outbox.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError

from backend.errors import Invalid
from backend.lists import csvfile, events, members, outbox
from backend.lists.service import get_list, member_count
from backend.store.db import utcnow

MAX_ITEMS = 1000  # addresses or ids a request
ATTEMPTS = 3


def _consent(body: dict) -> bool:
    consent = body.get("consent", False)
    if not isinstance(consent, bool):
        raise Invalid(problems=["consent: must be true or false"])
    return consent


def _items(body: dict) -> tuple[str, list]:
    """("emails", [normalised addresses]) or ("profile_ids", [ids]); Invalid naming each
    bad entry."""
    keys = [k for k in ("emails", "profile_ids") if k in body]
    if len(keys) != 1:
        raise Invalid(problems=["emails: give either emails or profile_ids (a list)"])
    key, raw = keys[0], body[keys[0]]
    if not isinstance(raw, list) or not raw:
        raise Invalid(problems=[f"{key}: must be a non-empty list"])
    if len(raw) > MAX_ITEMS:
        raise Invalid(problems=[f"{key}: at most {MAX_ITEMS} a request"])
    problems, out = [], []
    for i, item in enumerate(raw):
        if key == "emails":
            email = item.strip().lower() if isinstance(item, str) else ""
            if len(email) > csvfile.MAX_EMAIL or not csvfile.EMAIL.fullmatch(email):
                problems.append(f"emails[{i}]: not an e-mail address")
            out.append(email)
        else:
            if isinstance(item, bool) or not isinstance(item, int) or item <= 0:
                problems.append(f"profile_ids[{i}]: must be a profile id (a whole number)")
            out.append(item)
    if problems:
        raise Invalid(problems=problems)
    return key, list(dict.fromkeys(out))


def add(runtime, account_id: str, list_id: int, body: dict[str, Any]) -> dict:
    consent = _consent(body)
    key, items = _items(body)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _add(runtime, account_id, list_id, key, items, consent)
        except IntegrityError:  # another writer made the same profile or member: again
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _add(runtime, account_id: str, list_id: int, key: str, items: list, consent: bool) -> dict:
    now = utcnow()
    send = outbox.spooler(runtime)
    skipped: list[dict] = []
    with runtime.db.session() as s:
        lst = get_list(s, account_id, list_id)
        if key == "emails":
            people, refused, _ = members.resolve(s, account_id, [(e, {}) for e in items], now)
            skipped = [{"email": items[i], "reason": why} for i, why in refused]
        else:
            found = members.people_by_id(s, account_id, items)
            missing = [f"profile_ids[{i}]: no profile {p}" for i, p in enumerate(items)]
            missing = [m for m, p in zip(missing, items, strict=True) if p not in found]
            if missing:
                raise Invalid(problems=missing)
            people = []
            for p in found.values():
                if p.status in members.SUPPRESSED:
                    skipped.append({"profile_id": p.id, "reason": f"suppressed: {p.status}"})
                else:
                    people.append(p)
        new, existing = members.add(s, lst, people, consent, "api", now)
        # In the joins' transaction; spooled once it commits (outbox.py).
        outbox.put(s, account_id, events.join_messages(s, lst, new, "api", now), send)
        count = member_count(s, lst.id)
    return {"added": len(new), "already": existing, "skipped": skipped, "count": count}


def remove(runtime, account_id: str, list_id: int, body: dict[str, Any]) -> dict:
    key, items = _items(body)
    now = utcnow()
    with runtime.db.session() as s:
        lst = get_list(s, account_id, list_id)
        if key == "emails":
            ids = members.ids_by_email(s, account_id, items)
        else:
            ids = list(members.people_by_id(s, account_id, items))
        removed = members.remove(s, lst, ids, "api", now)
        return {"removed": removed, "count": member_count(s, lst.id)}
