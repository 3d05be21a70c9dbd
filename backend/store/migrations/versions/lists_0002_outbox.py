"""list joins' events waiting to be spooled: the transactional outbox

Revision ID: lists_0002
Revises: lists_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "lists_0002"
down_revision = "lists_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "list_outbox",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_list_outbox_created", "list_outbox", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_list_outbox_created", table_name="list_outbox")
    op.drop_table("list_outbox")
