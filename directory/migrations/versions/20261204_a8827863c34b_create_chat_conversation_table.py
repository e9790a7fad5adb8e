"""Create the chat conversation table of the gateway.

Revision ID: a8827863c34b
Revises: e915fb8671dd
Create Date: 2026-12-04 16:21:32.633829
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8827863c34b"
down_revision: str | Sequence[str] | None = "e915fb8671dd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "chat_conversation",
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("offered_buttons", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_chat_conversation")),
    )
    op.create_index(
        op.f("ix_chat_conversation_last_activity_at"),
        "chat_conversation",
        ["last_activity_at"],
        unique=False,
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(
        op.f("ix_chat_conversation_last_activity_at"), table_name="chat_conversation"
    )
    op.drop_table("chat_conversation")
