"""account currency

Revision ID: currency_0001
Revises: 0001
Create Date: 2026-12-07 06:00:00

Accounts get an ISO 4217 currency code (default "USD", also for every existing account):
what `{{ x | money }}` prints amounts in, in e-mails and their previews. Its own branch off
the base schema (migrate upgrades to "heads"); the column is added in place on SQLite too.
"""

import sqlalchemy as sa
from alembic import op

revision = "currency_0001"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("currency", sa.String(length=3), server_default="USD", nullable=False)
        )


def downgrade() -> None:
    # Not batch_alter_table: on SQLite that copies the table, and dropping accounts with
    # foreign keys on would cascade (see accounts_0001). Both databases drop it in place.
    op.execute("ALTER TABLE accounts DROP COLUMN currency")
