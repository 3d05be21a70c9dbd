"""indexes on profile_id for flow_runs, segment_changes and form_submissions

Revision ID: forms_0002
Revises: forms_0001 (needs flows_0001 and segments_0001 for their tables)

Erasing a profile (backend/privacy/erase.py) deletes its rows from these three tables by
profile_id; without an index each delete scanned the whole table.
"""

from alembic import op

revision = "forms_0002"
down_revision = "forms_0001"
branch_labels = None
depends_on = ("flows_0001", "segments_0001")

INDEXES = [
    ("ix_flow_runs_profile", "flow_runs"),
    ("ix_segment_changes_profile", "segment_changes"),
    ("ix_form_submissions_profile", "form_submissions"),
]


def upgrade() -> None:
    for name, table in INDEXES:
        op.create_index(name, table, ["profile_id"])


def downgrade() -> None:
    for name, table in INDEXES:
        op.drop_index(name, table_name=table)
