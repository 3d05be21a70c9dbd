"""e-mail status on profiles, and the bounce log

Revision ID: email_0001
Revises: 0001
Create Date: 2026-12-07 02:40:00

Profiles get `email_status` (subscribed | never_subscribed | unsubscribed | bounced |
complained; every existing profile starts as never_subscribed), when and why it last
changed, and how many soft bounces came in a row. `email_bounces` keeps each delivery
status notification and complaint the bounce listener understood (the Suppressions view
shows them). Its own branch off the base schema; migrate upgrades to "heads".
"""

import sqlalchemy as sa
from alembic import op

revision = "email_0001"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "email_status",
                sa.String(length=20),
                server_default="never_subscribed",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("email_status_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("email_status_reason", sa.String(length=300), nullable=True))
        batch_op.add_column(
            sa.Column("email_soft_bounces", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_index("ix_profiles_account_email_status", "profiles", ["account_id", "email_status"])
    op.create_table(
        "email_bounces",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("profile_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("diagnostic", sa.String(length=500), nullable=True),
        sa.Column("source", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["profile_id"], ["profiles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_email_bounces_account_at", "email_bounces", ["account_id", "received_at"])
    op.create_index("ix_email_bounces_profile", "email_bounces", ["profile_id"])


def downgrade() -> None:
    op.drop_table("email_bounces")
    op.drop_index("ix_profiles_account_email_status", table_name="profiles")
    # Plain DROP COLUMN (SQLite 3.35+ does it in place): batch mode would copy profiles and
    # drop the old table, cascading to every event row.
    for col in ("email_soft_bounces", "email_status_reason", "email_status_at", "email_status"):
        op.execute(f"ALTER TABLE profiles DROP COLUMN {col}")
