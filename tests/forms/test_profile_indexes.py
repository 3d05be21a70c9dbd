"""Erasing a profile deletes its rows from flow_runs, segment_changes and form_submissions by
profile_id: each table has an index on it, on both stores, and PostgreSQL's planner can use
it for the delete (with sequential scans priced out, a table without one still scans)."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

TABLES = ["flow_runs", "segment_changes", "form_submissions"]


def test_each_table_has_an_index_on_profile_id(db):
    found = {
        table: [ix["name"] for ix in inspect(db.engine).get_indexes(table)] for table in TABLES
    }
    for table in TABLES:
        columns = {ix["name"]: ix["column_names"] for ix in inspect(db.engine).get_indexes(table)}
        assert columns.get(f"ix_{table}_profile") == ["profile_id"], found


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("table", TABLES)
def test_postgresql_deletes_by_profile_through_the_index(db, table):
    with db.engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(
            conn.execute(text(f"EXPLAIN DELETE FROM {table} WHERE profile_id = 42")).scalars()
        )
        conn.rollback()
    assert f"ix_{table}_profile" in plan, plan
