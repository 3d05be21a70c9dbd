"""segments, their members and membership changes

Revision ID: segments_0001
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "segments_0001"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "segments",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_segments_account_id", "segments", ["account_id"])
    op.create_table(
        "segment_members",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("segment_id", BigId, nullable=False),
        sa.Column("profile_id", BigId, nullable=False),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["segment_id"], ["segments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["profile_id"], ["profiles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("segment_id", "profile_id", name="uq_segment_members"),
    )
    op.create_index("ix_segment_members_profile", "segment_members", ["profile_id"])
    op.create_table(
        "segment_changes",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("segment_id", BigId, nullable=False),
        sa.Column("profile_id", BigId, nullable=False),
        sa.Column("joined", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["segment_id"], ["segments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["profile_id"], ["profiles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_segment_changes_segment_at", "segment_changes", ["segment_id", "at"])


def downgrade() -> None:
    op.drop_table("segment_changes")
    op.drop_table("segment_members")
    op.drop_table("segments")
