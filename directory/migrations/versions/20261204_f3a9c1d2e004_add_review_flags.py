"""Add reviewers' flags on conversation turns.

Revision ID: f3a9c1d2e004
Revises: f3a9c1d2e003
Create Date: 2026-12-04 19:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f3a9c1d2e004"
down_revision: str | Sequence[str] | None = "f3a9c1d2e003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "review_flag",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("turn_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("flagged_by", sa.String(length=64), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["turn_id"],
            ["log_turn.id"],
            name=op.f("fk_review_flag_turn_id_log_turn"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_flag")),
        sa.UniqueConstraint("turn_id", name=op.f("uq_review_flag_turn_id")),
    )
    for column in ("conversation_id", "status"):
        op.create_index(
            op.f(f"ix_review_flag_{column}"), "review_flag", [column], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    for column in ("conversation_id", "status"):
        op.drop_index(op.f(f"ix_review_flag_{column}"), table_name="review_flag")
    op.drop_table("review_flag")
