"""Create the Open Referral UK directory tables.

Revision ID: e915fb8671dd
Revises:
Create Date: 2026-12-04 16:08:19.068399
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e915fb8671dd"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "metadata",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("resource_id", sa.String(length=100), nullable=False),
        sa.Column("resource_type", sa.String(length=64), nullable=False),
        sa.Column("last_action_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_action_type", sa.String(length=32), nullable=False),
        sa.Column("field_name", sa.String(length=255), nullable=False),
        sa.Column("previous_value", sa.Text(), nullable=False),
        sa.Column("replacement_value", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metadata")),
    )
    op.create_index(
        "ix_metadata_resource",
        "metadata",
        ["resource_type", "resource_id"],
        unique=False,
    )
    op.create_table(
        "organization",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("alternate_name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("website", sa.String(length=2048), nullable=True),
        sa.Column("uri", sa.String(length=2048), nullable=True),
        sa.Column("legal_status", sa.String(length=255), nullable=True),
        sa.Column("parent_organization_id", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_organization_id"],
            ["organization.id"],
            name=op.f("fk_organization_parent_organization_id_organization"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
    )
    op.create_index(
        op.f("ix_organization_name"), "organization", ["name"], unique=False
    )
    op.create_index(
        op.f("ix_organization_parent_organization_id"),
        "organization",
        ["parent_organization_id"],
        unique=False,
    )
    op.create_table(
        "taxonomy",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("uri", sa.String(length=2048), nullable=True),
        sa.Column("version", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxonomy")),
        sa.UniqueConstraint("name", name=op.f("uq_taxonomy_name")),
    )
    op.create_table(
        "location",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("location_type", sa.String(length=16), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("organization_id", sa.String(length=100), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("alternate_name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("transportation", sa.Text(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("external_identifier", sa.String(length=255), nullable=True),
        sa.Column("external_identifier_type", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "location_type IN ('physical', 'postal', 'virtual')",
            name=op.f("ck_location_location_type"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_location_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location")),
    )
    op.create_index(
        op.f("ix_location_organization_id"),
        "location",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "service",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("organization_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("alternate_name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column(
            "status", sa.String(length=32), server_default="active", nullable=False
        ),
        sa.Column("interpretation_services", sa.Text(), nullable=True),
        sa.Column("application_process", sa.Text(), nullable=True),
        sa.Column("fees_description", sa.Text(), nullable=True),
        sa.Column("eligibility_description", sa.Text(), nullable=True),
        sa.Column("minimum_age", sa.Integer(), nullable=True),
        sa.Column("maximum_age", sa.Integer(), nullable=True),
        sa.Column("assured_date", sa.Date(), nullable=True),
        sa.Column("assurer_email", sa.String(length=255), nullable=True),
        sa.Column("alert", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'inactive', 'defunct', 'temporarily closed')",
            name=op.f("ck_service_status"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_service_organization_id_organization"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
    )
    op.create_index(
        op.f("ix_service_organization_id"), "service", ["organization_id"], unique=False
    )
    op.create_index(
        "ix_service_status_published", "service", ["status", "published"], unique=False
    )
    op.create_table(
        "taxonomy_term",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=255), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.String(length=100), nullable=True),
        sa.Column("taxonomy", sa.String(length=255), nullable=True),
        sa.Column("taxonomy_id", sa.String(length=100), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("term_uri", sa.String(length=2048), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["taxonomy_term.id"],
            name=op.f("fk_taxonomy_term_parent_id_taxonomy_term"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["taxonomy_id"],
            ["taxonomy.id"],
            name=op.f("fk_taxonomy_term_taxonomy_id_taxonomy"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxonomy_term")),
        sa.UniqueConstraint(
            "taxonomy_id", "code", name=op.f("uq_taxonomy_term_taxonomy_id_code")
        ),
    )
    op.create_index(
        op.f("ix_taxonomy_term_parent_id"), "taxonomy_term", ["parent_id"], unique=False
    )
    op.create_index(
        op.f("ix_taxonomy_term_taxonomy_id"),
        "taxonomy_term",
        ["taxonomy_id"],
        unique=False,
    )
    op.create_table(
        "attribute",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("link_id", sa.String(length=100), nullable=False),
        sa.Column("link_type", sa.String(length=64), nullable=True),
        sa.Column("link_entity", sa.String(length=64), nullable=False),
        sa.Column("taxonomy_term_id", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("label", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["taxonomy_term_id"],
            ["taxonomy_term.id"],
            name=op.f("fk_attribute_taxonomy_term_id_taxonomy_term"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attribute")),
        sa.UniqueConstraint(
            "link_entity",
            "link_id",
            "taxonomy_term_id",
            name=op.f("uq_attribute_link_entity_link_id_taxonomy_term_id"),
        ),
    )
    op.create_index(
        "ix_attribute_link", "attribute", ["link_entity", "link_id"], unique=False
    )
    op.create_index(
        op.f("ix_attribute_taxonomy_term_id"),
        "attribute",
        ["taxonomy_term_id"],
        unique=False,
    )
    op.create_table(
        "contact",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("organization_id", sa.String(length=100), nullable=True),
        sa.Column("service_id", sa.String(length=100), nullable=True),
        sa.Column("location_id", sa.String(length=100), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("department", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_contact_location_id_location"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_contact_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_contact_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
    )
    op.create_index(
        op.f("ix_contact_location_id"), "contact", ["location_id"], unique=False
    )
    op.create_index(
        op.f("ix_contact_organization_id"), "contact", ["organization_id"], unique=False
    )
    op.create_index(
        op.f("ix_contact_service_id"), "contact", ["service_id"], unique=False
    )
    op.create_table(
        "schedule",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("service_id", sa.String(length=100), nullable=True),
        sa.Column("location_id", sa.String(length=100), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("freq", sa.String(length=16), nullable=True),
        sa.Column("byday", sa.String(length=64), nullable=True),
        sa.Column("opens_at", sa.String(length=16), nullable=True),
        sa.Column("closes_at", sa.String(length=16), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_schedule_location_id_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_schedule_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule")),
    )
    op.create_index(
        op.f("ix_schedule_location_id"), "schedule", ["location_id"], unique=False
    )
    op.create_index(
        op.f("ix_schedule_service_id"), "schedule", ["service_id"], unique=False
    )
    op.create_table(
        "service_area",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("service_id", sa.String(length=100), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("extent", sa.Text(), nullable=True),
        sa.Column("extent_type", sa.String(length=16), nullable=True),
        sa.Column("uri", sa.String(length=2048), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_service_area_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_area")),
    )
    op.create_index(
        op.f("ix_service_area_service_id"), "service_area", ["service_id"], unique=False
    )
    op.create_table(
        "phone",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("location_id", sa.String(length=100), nullable=True),
        sa.Column("service_id", sa.String(length=100), nullable=True),
        sa.Column("organization_id", sa.String(length=100), nullable=True),
        sa.Column("contact_id", sa.String(length=100), nullable=True),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("extension", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_phone_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_phone_location_id_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_phone_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_phone_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone")),
    )
    op.create_index(op.f("ix_phone_contact_id"), "phone", ["contact_id"], unique=False)
    op.create_index(
        op.f("ix_phone_location_id"), "phone", ["location_id"], unique=False
    )
    op.create_index(
        op.f("ix_phone_organization_id"), "phone", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_phone_service_id"), "phone", ["service_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_phone_service_id"), table_name="phone")
    op.drop_index(op.f("ix_phone_organization_id"), table_name="phone")
    op.drop_index(op.f("ix_phone_location_id"), table_name="phone")
    op.drop_index(op.f("ix_phone_contact_id"), table_name="phone")
    op.drop_table("phone")
    op.drop_index(op.f("ix_service_area_service_id"), table_name="service_area")
    op.drop_table("service_area")
    op.drop_index(op.f("ix_schedule_service_id"), table_name="schedule")
    op.drop_index(op.f("ix_schedule_location_id"), table_name="schedule")
    op.drop_table("schedule")
    op.drop_index(op.f("ix_contact_service_id"), table_name="contact")
    op.drop_index(op.f("ix_contact_organization_id"), table_name="contact")
    op.drop_index(op.f("ix_contact_location_id"), table_name="contact")
    op.drop_table("contact")
    op.drop_index(op.f("ix_attribute_taxonomy_term_id"), table_name="attribute")
    op.drop_index("ix_attribute_link", table_name="attribute")
    op.drop_table("attribute")
    op.drop_index(op.f("ix_taxonomy_term_taxonomy_id"), table_name="taxonomy_term")
    op.drop_index(op.f("ix_taxonomy_term_parent_id"), table_name="taxonomy_term")
    op.drop_table("taxonomy_term")
    op.drop_index("ix_service_status_published", table_name="service")
    op.drop_index(op.f("ix_service_organization_id"), table_name="service")
    op.drop_table("service")
    op.drop_index(op.f("ix_location_organization_id"), table_name="location")
    op.drop_table("location")
    op.drop_table("taxonomy")
    op.drop_index(
        op.f("ix_organization_parent_organization_id"), table_name="organization"
    )
    op.drop_index(op.f("ix_organization_name"), table_name="organization")
    op.drop_table("organization")
    op.drop_index("ix_metadata_resource", table_name="metadata")
    op.drop_table("metadata")
