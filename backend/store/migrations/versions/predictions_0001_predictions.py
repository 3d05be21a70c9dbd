"""predictions: per-profile CLV and churn figures, per-account fit record

Revision ID: predictions_0001
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "predictions_0001"
# Its own branch off the base schema (migrate upgrades to "heads").
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "profile_predictions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("profile_id", BigId, nullable=False),
        sa.Column("historic_clv", sa.Float(), nullable=False),
        sa.Column("predicted_clv", sa.Float(), nullable=False),
        sa.Column("total_clv", sa.Float(), nullable=False),
        sa.Column("expected_orders", sa.Float(), nullable=False),
        sa.Column("churn_probability", sa.Float(), nullable=False),
        sa.Column("expected_next_order", sa.DateTime(), nullable=True),
        sa.Column("average_order_value", sa.Float(), nullable=False),
        sa.Column("fitted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["profile_id"], ["profiles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("profile_id"),
    )
    op.create_index(
        "ix_profile_predictions_account_clv",
        "profile_predictions",
        ["account_id", "predicted_clv"],
    )
    op.create_index(
        "ix_profile_predictions_account_churn",
        "profile_predictions",
        ["account_id", "churn_probability"],
    )
    op.create_table(
        "prediction_fits",
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("step", sa.String(length=200), nullable=False),
        sa.Column("fitted_at", sa.DateTime(), nullable=True),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("gates", sa.JSON(), nullable=False),
        sa.Column("model", sa.JSON(), nullable=False),
        sa.Column("backtest", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id"),
    )


def downgrade() -> None:
    op.drop_table("prediction_fits")
    op.drop_index("ix_profile_predictions_account_churn", table_name="profile_predictions")
    op.drop_index("ix_profile_predictions_account_clv", table_name="profile_predictions")
    op.drop_table("profile_predictions")
