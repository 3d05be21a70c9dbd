"""list growth by hour and source, CSV imports and their rejected rows

Revision ID: lists_0001
Revises: 0001
"""

from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = "lists_0001"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    growth = op.create_table(
        "list_growth",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("list_id", BigId, nullable=False),
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("joins", sa.Integer(), nullable=False),
        sa.Column("leaves", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["list_id"], ["lists.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("list_id", "hour", "source"),
    )
    op.create_table(
        "list_imports",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("list_id", BigId, nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("joined", sa.Integer(), nullable=False),
        sa.Column("existing", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["list_id"], ["lists.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_list_imports_list", "list_imports", ["list_id"])
    op.create_table(
        "list_import_rejects",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("import_id", BigId, nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=400), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["list_imports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_list_import_rejects_import", "list_import_rejects", ["import_id", "row"])
    # Members from before growth was counted: one join each in the hour they joined.
    members = sa.table(
        "list_members", sa.column("list_id", BigId), sa.column("created_at", sa.DateTime())
    )
    counts: Counter = Counter()
    for list_id, at in op.get_bind().execute(sa.select(members.c.list_id, members.c.created_at)):
        counts[(list_id, at.replace(minute=0, second=0, microsecond=0))] += 1
    rows = [
        {"list_id": lid, "hour": hour, "source": "earlier", "joins": n, "leaves": 0}
        for (lid, hour), n in counts.items()
    ]
    if rows:
        op.bulk_insert(growth, rows)


def downgrade() -> None:
    op.drop_index("ix_list_import_rejects_import", table_name="list_import_rejects")
    op.drop_table("list_import_rejects")
    op.drop_index("ix_list_imports_list", table_name="list_imports")
    op.drop_table("list_imports")
    op.drop_table("list_growth")
