"""A service as one editable record, read from and written to the HSDS tables.

A draft stores this record as JSON. Publishing writes it to the `service`,
`organization`, `phone`, `schedule`, `service_area` and `attribute` rows of the
service, and `field_values` gives the text of each field that the audit trail
compares.
"""

from collections import defaultdict

from pydantic import BaseModel, Field
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from directory import vocabulary
from directory.db.models import (
    Attribute,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    Taxonomy,
    TaxonomyTerm,
)
from directory.db.queries import SERVICE_ENTITY, load_service_terms

# The taxonomies staff edit, in the order the form shows them.
EDITABLE_TAXONOMIES = (
    vocabulary.ROUTES_TAXONOMY,
    vocabulary.CHARACTERISTICS_TAXONOMY,
    vocabulary.FAITHS_TAXONOMY,
    vocabulary.INCIDENT_TYPES_TAXONOMY,
    vocabulary.AREAS_TAXONOMY,
    vocabulary.FLAGS_TAXONOMY,
)
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKLY = "WEEKLY"

# Scalar columns of `service` that the record carries under the same names.
SERVICE_COLUMNS = (
    "name",
    "description",
    "url",
    "email",
    "status",
    "interpretation_services",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
)


class PhoneEntry(BaseModel):
    """One phone number of a service."""

    number: str
    type: str = "voice"
    description: str | None = None


class HoursEntry(BaseModel):
    """Days of the week and the opening and closing time on them."""

    days: list[str]
    opens_at: str
    closes_at: str


class ServiceRecord(BaseModel):
    """Everything staff edit about one service."""

    name: str
    organization: str
    description: str = ""
    url: str | None = None
    email: str | None = None
    status: str = "active"
    interpretation_services: str | None = None
    eligibility_description: str | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    phones: list[PhoneEntry] = Field(default_factory=list)
    hours_description: str | None = None
    hours: list[HoursEntry] = Field(default_factory=list)
    terms: dict[str, list[str]] = Field(default_factory=dict)


def read_record(db: Session, service: Service) -> ServiceRecord:
    """Return the published record of a service."""
    terms = load_service_terms(db, [service.id]).get(service.id, {})
    schedules = sorted(service.schedules, key=lambda schedule: schedule.id)
    described = [schedule.description for schedule in schedules if schedule.description]
    return ServiceRecord(
        name=service.name,
        organization=service.organization.name,
        description=service.description or "",
        url=service.url,
        email=service.email,
        status=service.status,
        interpretation_services=service.interpretation_services,
        eligibility_description=service.eligibility_description,
        minimum_age=service.minimum_age,
        maximum_age=service.maximum_age,
        phones=[
            PhoneEntry(
                number=phone.number,
                type=phone.type or "voice",
                description=phone.description,
            )
            for phone in sorted(service.phones, key=lambda phone: phone.id)
        ],
        hours_description=described[0] if described else None,
        hours=[
            HoursEntry(
                days=schedule.byday.split(","),
                opens_at=schedule.opens_at,
                closes_at=schedule.closes_at,
            )
            for schedule in schedules
            if schedule.byday and schedule.opens_at and schedule.closes_at
        ],
        terms={
            name: sorted(terms.get(name, set()))
            for name in EDITABLE_TAXONOMIES
            if terms.get(name)
        },
    )


def apply_record(db: Session, service: Service, record: ServiceRecord) -> None:
    """Write a record to the service's rows. The caller commits."""
    # The organisation comes first: finding it flushes the session, and a new
    # service row cannot be written without its organisation.
    organization = organization_named(db, record.organization)
    for column in SERVICE_COLUMNS:
        setattr(service, column, getattr(record, column))
    service.organization = organization
    db.add(service)
    _apply_phones(service, record.phones)
    service.schedules = _schedules(record)

    term_rows = terms_by_code(db)
    area_terms = [
        term_rows[(vocabulary.AREAS_TAXONOMY, code)]
        for code in record.terms.get(vocabulary.AREAS_TAXONOMY, [])
    ]
    service.service_areas = [_service_area(term) for term in area_terms]

    db.flush()
    db.execute(
        delete(Attribute)
        .where(Attribute.link_entity == SERVICE_ENTITY)
        .where(Attribute.link_id == service.id)
    )
    for taxonomy_name, codes in record.terms.items():
        for code in codes:
            db.add(
                Attribute(
                    link_id=service.id,
                    link_entity=SERVICE_ENTITY,
                    link_type=vocabulary.LINK_TYPES[taxonomy_name],
                    taxonomy_term_id=term_rows[(taxonomy_name, code)].id,
                )
            )


def _apply_phones(service: Service, entries: list[PhoneEntry]) -> None:
    """Update phone rows in place, so the first number keeps the lowest id."""
    phones = sorted(service.phones, key=lambda phone: phone.id)
    for index, entry in enumerate(entries):
        if index < len(phones):
            phone = phones[index]
        else:
            phone = Phone()
            service.phones.append(phone)
        phone.number = entry.number
        phone.type = entry.type
        phone.description = entry.description
    for phone in phones[len(entries) :]:
        service.phones.remove(phone)


def _schedules(record: ServiceRecord) -> list[Schedule]:
    """Return one weekly schedule per row of hours, with the description first."""
    if not record.hours:
        if record.hours_description:
            return [Schedule(description=record.hours_description)]
        return []
    return [
        Schedule(
            freq=WEEKLY,
            byday=",".join(entry.days),
            opens_at=entry.opens_at,
            closes_at=entry.closes_at,
            description=record.hours_description if index == 0 else None,
        )
        for index, entry in enumerate(record.hours)
    ]


def _service_area(term: TaxonomyTerm) -> ServiceArea:
    return ServiceArea(name=term.name, description=f"{term.name}.", uri=term.term_uri)


def organization_named(db: Session, name: str) -> Organization:
    """Return the organisation with this name, creating it when it is missing."""
    organization = db.scalar(select(Organization).where(Organization.name == name))
    if organization is None:
        organization = Organization(name=name, description="")
        db.add(organization)
        db.flush()
    return organization


def terms_by_code(db: Session) -> dict[tuple[str, str], TaxonomyTerm]:
    """Return the editable taxonomy terms by (taxonomy name, code)."""
    statement = (
        select(Taxonomy.name, TaxonomyTerm)
        .join(TaxonomyTerm, TaxonomyTerm.taxonomy_id == Taxonomy.id)
        .where(Taxonomy.name.in_(EDITABLE_TAXONOMIES))
    )
    return {
        (taxonomy_name, term.code): term
        for taxonomy_name, term in db.execute(statement)
        if term.code is not None
    }


def term_choices(db: Session) -> dict[str, list[TaxonomyTerm]]:
    """Return the terms of each editable taxonomy: top-level terms first, by name."""
    choices: dict[str, list[TaxonomyTerm]] = defaultdict(list)
    for (taxonomy_name, _code), term in terms_by_code(db).items():
        choices[taxonomy_name].append(term)
    for terms in choices.values():
        terms.sort(key=lambda term: (term.parent_id is not None, term.name))
    return {name: choices.get(name, []) for name in EDITABLE_TAXONOMIES}


def field_values(record: ServiceRecord | None) -> dict[str, str]:
    """Return each field of a record as the text the audit trail stores."""
    if record is None:
        return {}
    values = {
        column: "" if getattr(record, column) is None else str(getattr(record, column))
        for column in SERVICE_COLUMNS
    }
    values["organization"] = record.organization
    values["phones"] = "; ".join(
        f"{phone.number} ({phone.type}"
        + (f", {phone.description})" if phone.description else ")")
        for phone in record.phones
    )
    values["hours_description"] = record.hours_description or ""
    values["hours"] = "; ".join(
        f"{','.join(entry.days)} {entry.opens_at}-{entry.closes_at}"
        for entry in record.hours
    )
    for name in EDITABLE_TAXONOMIES:
        values[name] = ", ".join(sorted(record.terms.get(name, [])))
    return values


def changed_fields(
    old: ServiceRecord | None, new: ServiceRecord
) -> list[tuple[str, str, str]]:
    """Return (field, old text, new text) for every field that differs."""
    before = field_values(old)
    after = field_values(new)
    return [
        (field, before.get(field, ""), value)
        for field, value in after.items()
        if before.get(field, "") != value
    ]
