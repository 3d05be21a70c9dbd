"""Which tables hold what about a person: every table with a `profile_id` column (found in
the models, so a table added later is exported and erased without a change here), the
flow steps hanging off a profile's runs, and the names that make ids readable."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import Table

import backend.store
from backend.store.models import Base

# Rows that mention a profile id but are no data about the person: the audit itself (it
# must outlive the profile) and the segment watcher's queue of ids to look at again.
NOT_PERSONAL = {"privacy_audit", "profile_touches"}

# Export keys for the tables the console knows; any other table is exported under its name.
SECTIONS = {
    "profile_aliases": "aliases",
    "events": "events",
    "list_members": "list_memberships",
    "segment_members": "segment_memberships",
    "segment_changes": "segment_changes",
    "email_bounces": "email_bounces",
    "flow_runs": "flow_enrolments",
    "campaign_recipients": "campaign_recipients",
    "profile_predictions": "predictions",
    "form_submissions": "form_submissions",
}

# id columns whose row has a name worth showing beside the id: column -> (table, name column)
NAMED = {
    "list_id": ("lists", "name"),
    "segment_id": ("segments", "name"),
    "flow_id": ("flows", "name"),
    "campaign_id": ("campaigns", "name"),
    "form_id": ("forms", "name"),
}


@lru_cache(maxsize=1)
def _load_models() -> None:
    """Import every model module, so Base.metadata knows every table."""
    for mod in pkgutil.iter_modules(backend.store.__path__):
        if mod.name.endswith("models"):
            importlib.import_module(f"backend.store.{mod.name}")


def table(name: str) -> Table:
    _load_models()
    return Base.metadata.tables[name]


def profile_tables() -> list[Table]:
    """Tables holding rows about one profile, by name (profiles itself left out)."""
    _load_models()
    return [
        t
        for name, t in sorted(Base.metadata.tables.items())
        if "profile_id" in t.c and name not in NOT_PERSONAL
    ]


def run_tables() -> list[Table]:
    """Tables whose rows belong to a flow run (waiting steps, actions taken)."""
    _load_models()
    return [
        t
        for name, t in sorted(Base.metadata.tables.items())
        if "run_id" in t.c
        and any(fk.column.table.name == "flow_runs" for fk in t.c.run_id.foreign_keys)
    ]


def address_tables() -> list[Table]:
    """Tables keeping an e-mail address per account, beside (or without) a profile id."""
    _load_models()
    return [
        t
        for name, t in sorted(Base.metadata.tables.items())
        if "email" in t.c and "account_id" in t.c and name not in ("profiles", "users")
    ]


def plain(value):
    """A stored value as JSON: times as ISO 8601 UTC, decimals as numbers."""
    if isinstance(value, datetime):
        return value.isoformat() + "Z"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return value
