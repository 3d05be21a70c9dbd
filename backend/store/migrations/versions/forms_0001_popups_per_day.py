"""account popup cap

Revision ID: forms_0001
Revises: 0004

Accounts get `popups_per_day`: how many different popups a storefront visitor is shown a
day (1-10, NULL for no limit; default 2, also for every existing account, which is what
embed.js did before as a constant). Served with /client/forms (backend/forms/popup_cap.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "forms_0001"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("popups_per_day", sa.Integer(), server_default="2", nullable=True)
        )


def downgrade() -> None:
    # Not batch_alter_table: on SQLite that copies the table, and dropping accounts with
    # foreign keys on would cascade (see accounts_0001). Both databases drop it in place.
    op.execute("ALTER TABLE accounts DROP COLUMN popups_per_day")
