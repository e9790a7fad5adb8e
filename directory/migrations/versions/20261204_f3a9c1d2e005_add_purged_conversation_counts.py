"""Add the counts of purged conversations for the quarterly figures.

Revision ID: f3a9c1d2e005
Revises: f3a9c1d2e004
Create Date: 2026-12-04 21:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f3a9c1d2e005"
down_revision: str | Sequence[str] | None = "f3a9c1d2e004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "purged_conversation_count",
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("area", sa.String(length=40), nullable=False),
        sa.Column("characteristics", sa.Text(), nullable=False),
        sa.Column("conversations", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "started_on",
            "area",
            "characteristics",
            name=op.f("pk_purged_conversation_count"),
        ),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("purged_conversation_count")
