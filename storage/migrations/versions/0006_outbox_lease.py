"""outbox lease: owner and expiry of a claim, hand-over mark, retry schedule

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_owner", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("handed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("unanswered", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("not_before", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("retrying_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_outbox_chat", ["platform", "chat_id", "status", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_chat")
        batch_op.drop_column("retrying_since")
        batch_op.drop_column("not_before")
        batch_op.drop_column("unanswered")
        batch_op.drop_column("handed_at")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("lease_owner")
