"""index assignments by task

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_assignments_task", "assignments", ["task_id", "role"])


def downgrade() -> None:
    op.drop_index("ix_assignments_task", table_name="assignments")
