"""predictions: a partial index of order events holding what a fit reads

Revision ID: predictions_0002
Revises: predictions_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "predictions_0002"
down_revision = "predictions_0001"
branch_labels = None
depends_on = None

ORDERS_ONLY = sa.text("metric = 'Placed Order'")


def upgrade() -> None:
    op.create_index(
        "ix_events_orders",
        "events",
        ["account_id", "profile_id", "ts", "revenue"],
        sqlite_where=ORDERS_ONLY,
        postgresql_where=ORDERS_ONLY,
    )


def downgrade() -> None:
    op.drop_index("ix_events_orders", table_name="events")
