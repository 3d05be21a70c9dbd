"""predictions: which process runs a fit, so one that died with it is seen at once

Revision ID: predictions_0003
Revises: predictions_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "predictions_0003"
down_revision = "predictions_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("prediction_fits") as batch:
        batch.add_column(sa.Column("worker", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("prediction_fits") as batch:
        batch.drop_column("worker")
