"""events: a compact dedup key

Revision ID: events_0001
Revises: 0002
Create Date: 2026-11-29 14:30:00

The dedup record moves from a unique index on (account_id, message_id) text to a unique
64-bit key (backend/store/dedup.py), plus a partial unique index on (account_id, message_id)
for the rare messages stored without a key (a key collision). Existing events get their keys
here, computed in Python in chunks: about 10 s for the demo's 1M events on SQLite, where
dropping the old constraint also copies the table (SQLite cannot drop a table constraint in
place). Its own branch off the base schema (migrate upgrades to "heads").
"""

import logging

import sqlalchemy as sa
from alembic import op

from backend.store.dedup import dedup_key

revision = "events_0001"
down_revision = "0002"
branch_labels = None
depends_on = None

_CHUNK = 50_000
log = logging.getLogger("tally.migrate")
_NO_KEY = sa.text("dedup_key IS NULL")


def _backfill(conn) -> None:
    """Give every event its key; where two messages share one, the later keeps none."""
    total = conn.execute(sa.text("SELECT count(*) FROM events")).scalar_one()
    if total:
        log.info("events_0001: giving %s events their dedup keys", f"{total:,}")
    last = done = 0
    shown = 0.0
    while True:
        rows = conn.execute(
            sa.text(
                "SELECT id, account_id, message_id FROM events WHERE id > :last "
                "ORDER BY id LIMIT :n"
            ),
            {"last": last, "n": _CHUNK},
        ).all()
        if not rows:
            break
        conn.execute(
            sa.text("UPDATE events SET dedup_key = :k WHERE id = :i"),
            [{"k": dedup_key(a, m), "i": i} for i, a, m in rows],
        )
        last = rows[-1][0]
        done += len(rows)
        if done / total - shown >= 0.1 or done == total:  # a line every tenth: it takes a while
            shown = done / total
            log.info("events_0001: %s of %s events keyed (%d%%)", f"{done:,}", f"{total:,}",
                     100 * shown)
    # Collisions (expected never): all rows of a shared key but the first go keyless.
    for (key,) in conn.execute(
        sa.text(
            "SELECT dedup_key FROM events GROUP BY dedup_key HAVING count(*) > 1"
        )
    ).all():
        conn.execute(
            sa.text(
                "UPDATE events SET dedup_key = NULL WHERE dedup_key = :k AND id > "
                "(SELECT min(id) FROM events WHERE dedup_key = :k)"
            ),
            {"k": key},
        )


def upgrade() -> None:
    conn = op.get_bind()
    op.add_column("events", sa.Column("dedup_key", sa.BigInteger(), nullable=True))
    _backfill(conn)
    if conn.dialect.name == "sqlite":
        log.info("events_0001: copying the events table without its old unique constraint")
        with op.batch_alter_table("events", recreate="always") as batch_op:
            batch_op.drop_constraint("uq_events_message", type_="unique")
    else:
        op.drop_constraint("uq_events_message", "events", type_="unique")
    op.create_index("uq_events_dedup_key", "events", ["dedup_key"], unique=True)
    op.create_index(
        "uq_events_collided",
        "events",
        ["account_id", "message_id"],
        unique=True,
        sqlite_where=_NO_KEY,
        postgresql_where=_NO_KEY,
    )


def downgrade() -> None:
    op.drop_index("uq_events_collided", "events")
    op.drop_index("uq_events_dedup_key", "events")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("events", recreate="always") as batch_op:
            batch_op.create_unique_constraint("uq_events_message", ["account_id", "message_id"])
            batch_op.drop_column("dedup_key")
    else:
        op.create_unique_constraint("uq_events_message", "events", ["account_id", "message_id"])
        op.drop_column("events", "dedup_key")
