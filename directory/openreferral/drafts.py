"""Cleaned records of an import, before they are written to the database."""

from dataclasses import dataclass, field
from datetime import date


@dataclass
class OrganizationDraft:
    """The organisation of an imported service; matched by id, then by name."""

    id: str | None
    name: str
    alternate_name: str | None = None
    description: str | None = None
    email: str | None = None
    website: str | None = None
    uri: str | None = None
    legal_status: str | None = None


@dataclass
class PhoneDraft:
    """A phone number of a service or contact."""

    number: str
    extension: int | None = None
    type: str | None = None
    description: str | None = None


@dataclass
class ContactDraft:
    """A named contact of a service."""

    name: str | None = None
    title: str | None = None
    department: str | None = None
    email: str | None = None
    phones: list[PhoneDraft] = field(default_factory=list)


@dataclass
class ScheduleDraft:
    """Opening hours of a service."""

    valid_from: date | None = None
    valid_to: date | None = None
    freq: str | None = None
    byday: str | None = None
    opens_at: str | None = None
    closes_at: str | None = None
    description: str | None = None
    notes: str | None = None


@dataclass
class ServiceAreaDraft:
    """An area a service covers, as the feed describes it."""

    name: str | None = None
    description: str | None = None
    extent: str | None = None
    extent_type: str | None = None
    uri: str | None = None


@dataclass
class AddressDraft:
    """A postal or physical address of a location."""

    address_1: str
    city: str
    postal_code: str
    state_province: str = ""
    country: str = "GB"
    address_type: str = "physical"
    attention: str | None = None
    address_2: str | None = None
    region: str | None = None


@dataclass
class LocationDraft:
    """A location where the service is delivered, with its addresses."""

    id: str | None
    location_type: str = "physical"
    name: str | None = None
    alternate_name: str | None = None
    description: str | None = None
    transportation: str | None = None
    url: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    external_identifier: str | None = None
    external_identifier_type: str | None = None
    addresses: list[AddressDraft] = field(default_factory=list)
    # Description of the service at this location (`service_at_location`).
    service_description: str | None = None


@dataclass
class TermDraft:
    """A taxonomy term linked to the service through an attribute."""

    taxonomy: str
    code: str
    name: str | None = None
    description: str | None = None
    term_id: str | None = None
    term_uri: str | None = None
    taxonomy_id: str | None = None
    taxonomy_description: str | None = None
    taxonomy_uri: str | None = None
    taxonomy_version: str | None = None
    link_type: str | None = None
    value: str | None = None
    label: str | None = None


@dataclass
class ServiceDraft:
    """A cleaned service with everything linked to it.

    A list that is None was not in the record, so the import leaves the rows
    of an existing service unchanged. An empty list removes them.
    `replace_taxonomies` names the taxonomies whose links the import replaces,
    and `all_other_taxonomies` adds every taxonomy but the project's own.
    """

    record_number: int
    id: str
    name: str
    organization: OrganizationDraft
    alternate_name: str | None = None
    description: str | None = None
    url: str | None = None
    email: str | None = None
    status: str = "active"
    interpretation_services: str | None = None
    application_process: str | None = None
    fees_description: str | None = None
    eligibility_description: str | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    assured_date: date | None = None
    assurer_email: str | None = None
    alert: str | None = None
    phones: list[PhoneDraft] | None = None
    schedules: list[ScheduleDraft] | None = None
    service_areas: list[ServiceAreaDraft] | None = None
    contacts: list[ContactDraft] | None = None
    locations: list[LocationDraft] | None = None
    terms: list[TermDraft] = field(default_factory=list)
    replace_taxonomies: set[str] = field(default_factory=set)
    all_other_taxonomies: bool = False
    # Area codes whose service area rows the import builds, for CSV rows.
    area_codes_for_service_areas: list[str] | None = None
    # Service columns the record gives; None means every column. The import
    # leaves the other columns of an existing service unchanged.
    given_fields: set[str] | None = None
    # False when the record had no id and `id` was made from its names.
    id_given: bool = True
