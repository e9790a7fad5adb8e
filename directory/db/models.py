"""Directory tables following Open Referral UK (HSDS 3.0).

Table and column names are those of the Human Services Data Specification 3.0
so that the directory can be exported as an HSDS feed. The project's own
vocabularies (routes, characteristics, faiths, incident types, areas, flags)
are taxonomies whose terms are linked to services through `attribute` rows;
see `directory.vocabulary`. Two columns are not HSDS: `service.published`
keeps drafts away from visitors, and `service.last_modified` records the last
edit for staff.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.db.base import Base

ID_LENGTH = 100
SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
LOCATION_TYPES = ("physical", "postal", "virtual")
ADDRESS_TYPES = ("physical", "postal", "virtual")


def new_id() -> str:
    """Return a new random UUID4 string for a primary key."""
    return str(uuid.uuid4())


def _in_list(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class Organization(Base):
    """An organisation that delivers services."""

    __tablename__ = "organization"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(255), index=True)
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    email: Mapped[str | None] = mapped_column(String(255))
    website: Mapped[str | None] = mapped_column(String(2048))
    uri: Mapped[str | None] = mapped_column(String(2048))
    legal_status: Mapped[str | None] = mapped_column(String(255))
    parent_organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )

    services: Mapped[list["Service"]] = relationship(back_populates="organization")

    def __repr__(self) -> str:
        return f"Organization(id={self.id!r}, name={self.name!r})"


class Service(Base):
    """A service that an organisation provides."""

    __tablename__ = "service"
    __table_args__ = (
        CheckConstraint(_in_list("status", SERVICE_STATUSES), name="status"),
        Index("ix_service_status_published", "status", "published"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2048))
    email: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(
        String(32), default="active", server_default="active"
    )
    interpretation_services: Mapped[str | None] = mapped_column(Text)
    application_process: Mapped[str | None] = mapped_column(Text)
    fees_description: Mapped[str | None] = mapped_column(Text)
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[int | None] = mapped_column(Integer)
    maximum_age: Mapped[int | None] = mapped_column(Integer)
    # Date on which staff last confirmed the details with the service ("checked
    # on"); null means the record has not been checked yet.
    assured_date: Mapped[date | None] = mapped_column(Date)
    assurer_email: Mapped[str | None] = mapped_column(String(255))
    alert: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Only published services reach visitors; drafts stay false.
    published: Mapped[bool] = mapped_column(default=False, server_default=false())

    organization: Mapped[Organization] = relationship(back_populates="services")
    phones: Mapped[list["Phone"]] = relationship(
        back_populates="service", cascade="all, delete-orphan", passive_deletes=True
    )
    schedules: Mapped[list["Schedule"]] = relationship(
        back_populates="service", cascade="all, delete-orphan", passive_deletes=True
    )
    service_areas: Mapped[list["ServiceArea"]] = relationship(
        back_populates="service", cascade="all, delete-orphan", passive_deletes=True
    )
    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="service", cascade="all, delete-orphan", passive_deletes=True
    )
    service_at_locations: Mapped[list["ServiceAtLocation"]] = relationship(
        back_populates="service", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"Service(id={self.id!r}, name={self.name!r}, status={self.status!r})"


class Location(Base):
    """A physical, postal or virtual place where an organisation operates."""

    __tablename__ = "location"
    __table_args__ = (
        CheckConstraint(
            _in_list("location_type", LOCATION_TYPES), name="location_type"
        ),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    location_type: Mapped[str] = mapped_column(String(16))
    url: Mapped[str | None] = mapped_column(String(2048))
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str | None] = mapped_column(String(255))
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    transportation: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    external_identifier: Mapped[str | None] = mapped_column(String(255))
    external_identifier_type: Mapped[str | None] = mapped_column(String(64))

    addresses: Mapped[list["Address"]] = relationship(
        back_populates="location", cascade="all, delete-orphan", passive_deletes=True
    )
    service_at_locations: Mapped[list["ServiceAtLocation"]] = relationship(
        back_populates="location", cascade="all, delete-orphan", passive_deletes=True
    )


class Address(Base):
    """A physical, postal or virtual address of a location.

    In UK data `state_province` contains the county (or the unitary authority
    where there is none) and `country` the ISO 3166-1 alpha-2 code, `GB`.
    """

    __tablename__ = "address"
    __table_args__ = (
        CheckConstraint(_in_list("address_type", ADDRESS_TYPES), name="address_type"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    attention: Mapped[str | None] = mapped_column(String(255))
    address_1: Mapped[str] = mapped_column(String(255))
    address_2: Mapped[str | None] = mapped_column(String(255))
    city: Mapped[str] = mapped_column(String(255))
    region: Mapped[str | None] = mapped_column(String(255))
    state_province: Mapped[str] = mapped_column(String(255))
    postal_code: Mapped[str] = mapped_column(String(16), index=True)
    country: Mapped[str] = mapped_column(String(2))
    address_type: Mapped[str] = mapped_column(String(16))

    location: Mapped[Location] = relationship(back_populates="addresses")


class ServiceAtLocation(Base):
    """A link between a service and a location where it is delivered."""

    __tablename__ = "service_at_location"
    __table_args__ = (UniqueConstraint("service_id", "location_id"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="service_at_locations")
    location: Mapped[Location] = relationship(back_populates="service_at_locations")


class Contact(Base):
    """A named contact for a service or an organisation."""

    __tablename__ = "contact"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str | None] = mapped_column(
        ForeignKey("location.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    department: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))

    service: Mapped[Service | None] = relationship(back_populates="contacts")


class Phone(Base):
    """A telephone number of a service, organisation, location or contact.

    `type` follows the RFC 6350 types that HSDS names: `voice`, `text` (SMS),
    `textphone`, `fax`, `cell`, `video`, `pager`.
    """

    __tablename__ = "phone"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    location_id: Mapped[str | None] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[str | None] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(64))
    extension: Mapped[int | None] = mapped_column(Integer)
    type: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service | None] = relationship(back_populates="phones")


class Schedule(Base):
    """When a service or location is open; `description` contains the hours as text."""

    __tablename__ = "schedule"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str | None] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    freq: Mapped[str | None] = mapped_column(String(16))
    byday: Mapped[str | None] = mapped_column(String(64))
    opens_at: Mapped[str | None] = mapped_column(String(16))
    closes_at: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service | None] = relationship(back_populates="schedules")


class ServiceArea(Base):
    """A geographic area in which a service is available.

    `uri` contains the ONS statistical geography URI of a council area where one
    exists. Signposting matches areas on `sos-areas` attributes, not on these rows.
    """

    __tablename__ = "service_area"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    extent: Mapped[str | None] = mapped_column(Text)
    extent_type: Mapped[str | None] = mapped_column(String(16))
    uri: Mapped[str | None] = mapped_column(String(2048))

    service: Mapped[Service | None] = relationship(back_populates="service_areas")


class Taxonomy(Base):
    """A vocabulary from which taxonomy terms are taken."""

    __tablename__ = "taxonomy"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(String(2048))
    version: Mapped[str | None] = mapped_column(String(64))

    terms: Mapped[list["TaxonomyTerm"]] = relationship(
        back_populates="taxonomy_detail",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"Taxonomy(id={self.id!r}, name={self.name!r})"


class TaxonomyTerm(Base):
    """A term of a taxonomy, optionally the child of another term."""

    __tablename__ = "taxonomy_term"
    __table_args__ = (UniqueConstraint("taxonomy_id", "code"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    code: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("taxonomy_term.id", ondelete="SET NULL"), index=True
    )
    # Name of the established taxonomy, as HSDS keeps it next to `taxonomy_id`.
    taxonomy: Mapped[str | None] = mapped_column(String(255))
    taxonomy_id: Mapped[str | None] = mapped_column(
        ForeignKey("taxonomy.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str | None] = mapped_column(String(8))
    term_uri: Mapped[str | None] = mapped_column(String(2048))

    taxonomy_detail: Mapped[Taxonomy | None] = relationship(back_populates="terms")
    parent: Mapped["TaxonomyTerm | None"] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"TaxonomyTerm(taxonomy={self.taxonomy!r}, code={self.code!r})"


class Attribute(Base):
    """A link from any directory row to a taxonomy term.

    `link_entity` names the table of the linked row and `link_id` its id, so the
    link cannot be a foreign key.
    """

    # NOTE: deleting a service row leaves its attribute rows behind, because
    # `link_id` has no foreign key; `directory.db.queries.delete_service`
    # deletes both.

    __tablename__ = "attribute"
    __table_args__ = (
        UniqueConstraint("link_entity", "link_id", "taxonomy_term_id"),
        Index("ix_attribute_link", "link_entity", "link_id"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    link_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    link_type: Mapped[str | None] = mapped_column(String(64))
    link_entity: Mapped[str] = mapped_column(String(64))
    taxonomy_term_id: Mapped[str] = mapped_column(
        ForeignKey("taxonomy_term.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str | None] = mapped_column(Text)
    label: Mapped[str | None] = mapped_column(String(255))

    taxonomy_term: Mapped[TaxonomyTerm] = relationship()


class Metadata(Base):
    """An audit record of a change to a directory row (HSDS `metadata`)."""

    __tablename__ = "metadata"
    __table_args__ = (Index("ix_metadata_resource", "resource_type", "resource_id"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    resource_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    resource_type: Mapped[str] = mapped_column(String(64))
    last_action_date: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_action_type: Mapped[str] = mapped_column(String(32))
    field_name: Mapped[str] = mapped_column(String(255))
    previous_value: Mapped[str] = mapped_column(Text)
    replacement_value: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(255))
