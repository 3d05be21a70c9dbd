"""count e-mail events by the e-mail they are about

Revision ID: email_0002
Revises: email_0001
Create Date: 2026-12-07 03:00:00

Every account counts its events by "$email" too (a flow's node, "f12:welcome", or a
campaign's variant, "c7:A"; "~machine" marks scanners' opens and clicks), so a flow's
per-node numbers and a campaign's are read from the counters. New accounts get it from
backend/accounts/service.py; this adds it to the accounts that exist.
"""

import sqlalchemy as sa
from alembic import op

revision = "email_0002"
down_revision = "email_0001"
branch_labels = None
depends_on = None

accounts = sa.table("accounts", sa.column("id", sa.String), sa.column("dimensions", sa.JSON))


def upgrade() -> None:
    conn = op.get_bind()
    for account_id, dims in conn.execute(sa.select(accounts.c.id, accounts.c.dimensions)).all():
        dims = list(dims or [])
        if "$email" not in dims:
            conn.execute(
                accounts.update()
                .where(accounts.c.id == account_id)
                .values(dimensions=[*dims, "$email"])
            )


def downgrade() -> None:
    conn = op.get_bind()
    for account_id, dims in conn.execute(sa.select(accounts.c.id, accounts.c.dimensions)).all():
        if dims and "$email" in dims:
            conn.execute(
                accounts.update()
                .where(accounts.c.id == account_id)
                .values(dimensions=[d for d in dims if d != "$email"])
            )
