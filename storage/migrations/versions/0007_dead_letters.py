"""dead letters: inbound updates whose handling kept failing

Revision ID: 0007
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("update_key", sa.String(length=200), nullable=False),
        sa.Column("chat_id", sa.String(length=100), nullable=True),
        sa.Column("user_id", sa.String(length=100), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
        sa.UniqueConstraint("platform", "update_key", name=op.f("uq_dead_letters_platform")),
    )
    op.create_index("ix_dead_letters_last_seen", "dead_letters", ["last_seen_at"])


def downgrade() -> None:
    op.drop_index("ix_dead_letters_last_seen", table_name="dead_letters")
    op.drop_table("dead_letters")
