"""privacy audit and erased addresses

Revision ID: privacy_0001
Revises: 0001
Create Date: 2026-12-07 06:00:00

The audit of profile exports and erasures (who, when, which profile id; never an address),
and the hashes of erased addresses that keep a deleted person from being e-mailed again.
Its own branch off the base schema (migrate upgrades to "heads").
"""

import sqlalchemy as sa
from alembic import op

revision = "privacy_0001"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "privacy_audit",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("profile_id", BigId, nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_privacy_audit_account_at", "privacy_audit", ["account_id", "at"])
    op.create_table(
        "erased_addresses",
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "address_hash"),
    )


def downgrade() -> None:
    op.drop_table("erased_addresses")
    op.drop_index("ix_privacy_audit_account_at", table_name="privacy_audit")
    op.drop_table("privacy_audit")
