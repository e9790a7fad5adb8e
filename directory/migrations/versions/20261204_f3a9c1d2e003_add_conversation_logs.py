"""Add the redacted conversation log tables.

Revision ID: f3a9c1d2e003
Revises: f3a9c1d2e002
Create Date: 2026-12-04 18:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f3a9c1d2e003"
down_revision: str | Sequence[str] | None = "f3a9c1d2e002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "conversation_log",
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=8), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("utm_source", sa.String(length=40), nullable=True),
        sa.Column("utm_medium", sa.String(length=40), nullable=True),
        sa.Column("utm_campaign", sa.String(length=40), nullable=True),
        sa.Column("unanswered_turns", sa.Integer(), nullable=False),
        sa.Column("reset_before_next_turn", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_conversation_log")),
    )
    op.create_index(
        op.f("ix_conversation_log_last_event_at"),
        "conversation_log",
        ["last_event_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_conversation_log_reference"),
        "conversation_log",
        ["reference"],
        unique=True,
    )
    op.create_table(
        "log_turn",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("turn_number", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("input_kind", sa.String(length=16), nullable=False),
        sa.Column("visitor_text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("intent_confidence", sa.Float(), nullable=True),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("replies", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("situation", sa.JSON(), nullable=False),
        sa.Column("reading", sa.String(length=32), nullable=True),
        sa.Column("routes", sa.JSON(), nullable=False),
        sa.Column("fallback", sa.Boolean(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation_log.conversation_id"],
            name=op.f("fk_log_turn_conversation_id_conversation_log"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_turn")),
    )
    op.create_index(
        op.f("ix_log_turn_conversation_id"),
        "log_turn",
        ["conversation_id"],
        unique=False,
    )
    op.create_table(
        "transcript_access",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("accessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript_access")),
    )
    for column in ("staff_id", "conversation_id", "accessed_at"):
        op.create_index(
            op.f(f"ix_transcript_access_{column}"),
            "transcript_access",
            [column],
            unique=False,
        )


def downgrade() -> None:
    """Revert this revision."""
    for column in ("staff_id", "conversation_id", "accessed_at"):
        op.drop_index(
            op.f(f"ix_transcript_access_{column}"), table_name="transcript_access"
        )
    op.drop_table("transcript_access")
    op.drop_index(op.f("ix_log_turn_conversation_id"), table_name="log_turn")
    op.drop_table("log_turn")
    op.drop_index(op.f("ix_conversation_log_reference"), table_name="conversation_log")
    op.drop_index(
        op.f("ix_conversation_log_last_event_at"), table_name="conversation_log"
    )
    op.drop_table("conversation_log")
