"""The account's popup cap: how many different popups one storefront visitor is shown a day,
across forms (1-10, default 2; None: no limit). Served with the live forms at /client/forms
as `popups_per_day`; assets/embed/embed.js counts the popups a browser has shown in the last
24 hours and keeps back a new one once the cap is reached.

    with db.session() as s:
        set_popups_per_day(s, account_id, 1)     # PopupCapInvalid outside 1-10
        get_popups_per_day(s, account_id)        # 1
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.errors import Invalid, NotFound
from backend.store.models import Account

DEFAULT = 2
LOWEST, HIGHEST = 1, 10


class PopupCapInvalid(Invalid):
    pass


def validate(value) -> int | None:
    """The cap as stored: an int in 1-10, or None for no limit (None or "none")."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "none"):
        return None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        number = None
    if number is None or not LOWEST <= number <= HIGHEST:
        shown = str(value)[:20]
        raise PopupCapInvalid(
            problems=[
                f"popups_per_day: {shown!r} is not allowed: a whole number of popups from "
                f"{LOWEST} to {HIGHEST}, or no limit"
            ]
        )
    return number


def get_popups_per_day(s: Session, account_id: str) -> int | None:
    acc = s.get(Account, account_id)
    if acc is None:
        raise NotFound(f"no account {account_id!r}")
    return acc.popups_per_day


def set_popups_per_day(s: Session, account_id: str, value) -> int | None:
    """Validate and save; nothing changes when the value is refused."""
    clean = validate(value)
    acc = s.get(Account, account_id)
    if acc is None:
        raise NotFound(f"no account {account_id!r}")
    acc.popups_per_day = clean
    s.flush()
    return clean
