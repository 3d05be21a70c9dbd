"""account time zone

Revision ID: accounts_0001
Revises: 0001
Create Date: 2026-12-01 10:00:00

Accounts get an IANA time zone name (default "UTC", also for every existing account): the
zone the console's days, "today" and report e-mail hours are in. Its own branch off the
base schema (migrate upgrades to "heads"). Adding a column with a default is done in place
on SQLite too (batch mode's "auto" does not copy the table for it).
"""

import sqlalchemy as sa
from alembic import op

revision = "accounts_0001"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False)
        )


def downgrade() -> None:
    # Not batch_alter_table: on SQLite that copies the table and drops the old one, and with
    # foreign keys on, dropping accounts cascades to every user, key and dashboard. SQLite
    # (3.35+) drops a plain column in place, as PostgreSQL does.
    op.execute("ALTER TABLE accounts DROP COLUMN timezone")
