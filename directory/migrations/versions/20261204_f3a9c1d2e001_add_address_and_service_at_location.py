"""Add the Open Referral address and service at location tables.

Revision ID: f3a9c1d2e001
Revises: a8827863c34b
Create Date: 2026-12-04 18:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f3a9c1d2e001"
down_revision: str | Sequence[str] | None = "a8827863c34b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the `address` and `service_at_location` tables.

    Both are new tables, so SQLite needs no batch mode: only changes to
    existing tables have to copy them.
    """
    op.create_table(
        "address",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("location_id", sa.String(length=100), nullable=False),
        sa.Column("attention", sa.String(length=255), nullable=True),
        sa.Column("address_1", sa.String(length=255), nullable=False),
        sa.Column("address_2", sa.String(length=255), nullable=True),
        sa.Column("city", sa.String(length=255), nullable=False),
        sa.Column("region", sa.String(length=255), nullable=True),
        sa.Column("state_province", sa.String(length=255), nullable=False),
        sa.Column("postal_code", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("address_type", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "address_type IN ('physical', 'postal', 'virtual')",
            name=op.f("ck_address_address_type"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_address_location_id_location"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_address")),
    )
    op.create_index(
        op.f("ix_address_location_id"), "address", ["location_id"], unique=False
    )
    op.create_index(
        op.f("ix_address_postal_code"), "address", ["postal_code"], unique=False
    )
    op.create_table(
        "service_at_location",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("service_id", sa.String(length=100), nullable=False),
        sa.Column("location_id", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_service_at_location_location_id_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_service_at_location_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_at_location")),
        sa.UniqueConstraint(
            "service_id",
            "location_id",
            name=op.f("uq_service_at_location_service_id_location_id"),
        ),
    )
    op.create_index(
        op.f("ix_service_at_location_location_id"),
        "service_at_location",
        ["location_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_service_at_location_service_id"),
        "service_at_location",
        ["service_id"],
        unique=False,
    )


def downgrade() -> None:
    """Drop the `service_at_location` and `address` tables."""
    op.drop_index(
        op.f("ix_service_at_location_service_id"), table_name="service_at_location"
    )
    op.drop_index(
        op.f("ix_service_at_location_location_id"), table_name="service_at_location"
    )
    op.drop_table("service_at_location")
    op.drop_index(op.f("ix_address_postal_code"), table_name="address")
    op.drop_index(op.f("ix_address_location_id"), table_name="address")
    op.drop_table("address")
