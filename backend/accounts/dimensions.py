"""Which event properties an account counts as dimensions (besides country).

Each dimension adds one counter per (metric, value, hour), so the list is short and
validated; changing it affects events counted from then on (counters are not rebuilt)."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from backend.errors import Invalid
from backend.store.models import Account

MAX_DIMENSIONS = 20
_NAME = re.compile(r"^\$?[A-Za-z0-9_.\-]{1,64}$")
RESERVED = {"country", "revenue", "value"}


class DimensionsInvalid(Invalid):
    pass


def get_dimensions(s: Session, account_id: str) -> list[str]:
    return list(s.get(Account, account_id).dimensions or [])


def set_dimensions(s: Session, account_id: str, names) -> list[str]:
    if not isinstance(names, list):
        raise DimensionsInvalid("dimensions must be a list of event property names")
    clean: list[str] = []
    for i, n in enumerate(names):
        if not isinstance(n, str) or not _NAME.match(n.strip()):
            raise DimensionsInvalid(
                f"dimensions[{i}] must be a property name of 1-64 letters, digits, _ . - "
                "(optionally starting with $)"
            )
        if n.strip() in RESERVED:
            raise DimensionsInvalid(f"dimensions[{i}]: {n!r} is built in or not a dimension")
        if n.strip() not in clean:
            clean.append(n.strip())
    if len(clean) > MAX_DIMENSIONS:
        raise DimensionsInvalid(f"at most {MAX_DIMENSIONS} dimensions")
    s.get(Account, account_id).dimensions = clean
    return clean
