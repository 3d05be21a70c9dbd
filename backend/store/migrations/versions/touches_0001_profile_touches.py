"""profile touches and event generations, for the live segment watcher

Revision ID: touches_0001
Revises: 0002

`profile_touches`: profiles whose list memberships or e-mail status changed without an
event; the watcher re-evaluates them and deletes the rows. `event_generations`: a counter
per account bumped when stored events change owner or vanish (merges, erasure), so the
segment column cache reloads. Its own branch off the base schema; migrate upgrades to
"heads".
"""

import sqlalchemy as sa
from alembic import op

revision = "touches_0001"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "profile_touches",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("profile_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "event_generations",
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id"),
    )


def downgrade() -> None:
    op.drop_table("event_generations")
    op.drop_table("profile_touches")
