"""Response models of the public API, in the shape of HSDS 3.0 and Open Referral UK.

Field names and nesting follow the HSDS 3.0 JSON schemas (`schema/*.json` of
openreferral/specification, branch 3.0). Fields the directory does not store
are left out, so every field present is one the database contains.
"""

from datetime import date, datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

HSDS_VERSION = "3.0"
PROFILE_URI = "https://github.com/OpenReferralUK/uk-profile"

ItemT = TypeVar("ItemT", bound=BaseModel)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ApiInfo(_Out):
    """What the root of the API returns: the HSDS version and profile."""

    version: str = Field(description="HSDS version of this API.")
    profile: str = Field(description="URL of the HSDS profile this API follows.")
    openapi_url: str = Field(description="URL of the OpenAPI document of this API.")
    description: str


class TaxonomyOut(_Out):
    """An HSDS taxonomy."""

    id: str
    name: str
    description: str
    uri: str | None = None
    version: str | None = None


class TaxonomyTermOut(_Out):
    """An HSDS taxonomy term, with its taxonomy as `taxonomy_detail`."""

    id: str
    code: str | None = None
    name: str
    description: str
    parent_id: str | None = None
    taxonomy: str | None = None
    taxonomy_detail: TaxonomyOut | None = None
    language: str | None = None
    taxonomy_id: str | None = None
    term_uri: str | None = None


class AttributeOut(_Out):
    """An HSDS attribute: a link from a service to a taxonomy term."""

    id: str
    link_id: str
    link_type: str | None = None
    link_entity: str
    taxonomy_term_id: str
    value: str | None = None
    label: str | None = None
    taxonomy_term: TaxonomyTermOut


class OrganizationOut(_Out):
    """An HSDS organization, without its nested lists."""

    id: str
    name: str
    alternate_name: str | None = None
    description: str
    email: str | None = None
    website: str | None = None
    uri: str | None = None
    legal_status: str | None = None
    parent_organization_id: str | None = None


class PhoneOut(_Out):
    """An HSDS phone."""

    id: str
    service_id: str | None = None
    organization_id: str | None = None
    location_id: str | None = None
    contact_id: str | None = None
    number: str
    extension: int | None = None
    type: str | None = None
    description: str | None = None


class ContactOut(_Out):
    """An HSDS contact with its phones."""

    id: str
    service_id: str | None = None
    organization_id: str | None = None
    location_id: str | None = None
    name: str | None = None
    title: str | None = None
    department: str | None = None
    email: str | None = None
    phones: list[PhoneOut] = Field(default_factory=list)


class ScheduleOut(_Out):
    """An HSDS schedule."""

    id: str
    service_id: str | None = None
    location_id: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    freq: str | None = None
    byday: str | None = None
    opens_at: str | None = None
    closes_at: str | None = None
    description: str | None = None
    notes: str | None = None


class ServiceAreaOut(_Out):
    """An HSDS service area."""

    id: str
    service_id: str | None = None
    name: str | None = None
    description: str | None = None
    extent: str | None = None
    extent_type: str | None = None
    uri: str | None = None


class AddressOut(_Out):
    """An HSDS address."""

    id: str
    location_id: str
    attention: str | None = None
    address_1: str
    address_2: str | None = None
    city: str
    region: str | None = None
    state_province: str
    postal_code: str
    country: str
    address_type: Literal["physical", "postal", "virtual"]


class LocationOut(_Out):
    """An HSDS location with its addresses."""

    id: str
    location_type: Literal["physical", "postal", "virtual"]
    url: str | None = None
    organization_id: str | None = None
    name: str | None = None
    alternate_name: str | None = None
    description: str | None = None
    transportation: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    external_identifier: str | None = None
    external_identifier_type: str | None = None
    addresses: list[AddressOut] = Field(default_factory=list)


class ServiceAtLocationOut(_Out):
    """An HSDS service at location with its location."""

    id: str
    service_id: str
    location_id: str
    description: str | None = None
    location: LocationOut


class ServiceSummaryOut(_Out):
    """The one-to-one fields of an HSDS service, as `/services` lists them."""

    id: str
    organization_id: str
    name: str
    alternate_name: str | None = None
    description: str | None = None
    url: str | None = None
    email: str | None = None
    status: Literal["active", "inactive", "defunct", "temporarily closed"]
    interpretation_services: str | None = None
    application_process: str | None = None
    fees_description: str | None = None
    eligibility_description: str | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    assured_date: date | None = None
    assurer_email: str | None = None
    alert: str | None = None
    last_modified: datetime | None = Field(
        default=None, description="Time of the last change, in UTC."
    )
    organization: OrganizationOut


class ServiceOut(ServiceSummaryOut):
    """A fully nested HSDS service, as `/services/{id}` returns it."""

    phones: list[PhoneOut] = Field(default_factory=list)
    schedules: list[ScheduleOut] = Field(default_factory=list)
    service_areas: list[ServiceAreaOut] = Field(default_factory=list)
    service_at_locations: list[ServiceAtLocationOut] = Field(default_factory=list)
    contacts: list[ContactOut] = Field(default_factory=list)
    attributes: list[AttributeOut] = Field(default_factory=list)


class Page(BaseModel, Generic[ItemT]):
    """The HSDS paginated wrapper of a list endpoint."""

    total_items: int = Field(description="Number of items matching the request.")
    total_pages: int
    page_number: int = Field(description="Number of this page, from 1.")
    size: int = Field(description="Number of items on this page.")
    first_page: bool
    last_page: bool
    empty: bool = Field(description="Whether no item matches the request.")
    contents: list[ItemT]
