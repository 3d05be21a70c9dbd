"""flow_sends: the campaign engine's ledger for flow e-mail nodes

Revision ID: campaigns_0002
Revises: campaigns_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "campaigns_0002"
down_revision = "campaigns_0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "flow_sends",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("flow_id", BigId, nullable=False),
        sa.Column("node_id", sa.String(length=100), nullable=False),
        sa.Column("run_id", BigId, nullable=False),
        sa.Column("job_id", BigId, nullable=False),
        sa.Column("profile_id", BigId, nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("message_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job_id", name="uq_flow_sends_job"),
    )
    op.create_index("ix_flow_sends_profile_sent", "flow_sends", ["profile_id", "sent_at"])
    op.create_index("ix_flow_sends_flow_node", "flow_sends", ["flow_id", "node_id", "state"])


def downgrade() -> None:
    op.drop_table("flow_sends")
