"""The erasure finds a person's rows by a `profile_id` column: a table that points at
profiles through a column of another name would be missed, so none may."""

from __future__ import annotations

from backend.privacy import tables
from backend.store.models import Base


def test_every_reference_to_a_profile_is_a_profile_id_column():
    tables.profile_tables()  # loads every model module
    odd = [
        f"{t.name}.{fk.parent.name}"
        for t in Base.metadata.tables.values()
        for fk in t.foreign_keys
        if fk.column.table.name == "profiles" and fk.parent.name != "profile_id"
    ]
    assert odd == [], f"name these columns profile_id, or teach backend/privacy/tables.py: {odd}"


def test_the_known_personal_tables_are_all_found():
    names = {t.name for t in tables.profile_tables()}
    assert set(tables.SECTIONS) <= names
    assert {t.name for t in tables.run_tables()} == {"flow_jobs", "flow_actions"}
    assert "privacy_audit" not in names and "profile_touches" not in names
