"""Build the HSDS 3.0 shapes of the public API and the JSON export from rows."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from directory.db.models import (
    Attribute,
    Location,
    Phone,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from directory.db.queries import SERVICE_ENTITY
from directory.openreferral.schemas import (
    AttributeOut,
    ContactOut,
    OrganizationOut,
    PhoneOut,
    ServiceOut,
    ServiceSummaryOut,
    TaxonomyOut,
    TaxonomyTermOut,
)

# Relationships that a fully nested service needs, loaded in a few queries.
NESTED_SERVICE_OPTIONS = (
    selectinload(Service.organization),
    selectinload(Service.phones),
    selectinload(Service.schedules),
    selectinload(Service.service_areas),
    selectinload(Service.contacts),
    selectinload(Service.service_at_locations)
    .selectinload(ServiceAtLocation.location)
    .selectinload(Location.addresses),
)

# Order of phone types in every output, so that an export is stable.
PHONE_TYPE_ORDER = {
    "voice": 0,
    "text": 1,
    "textphone": 2,
    "cell": 3,
    "video": 4,
    "fax": 5,
    "pager": 6,
}


def as_utc(moment: datetime | None) -> datetime | None:
    """Return an aware UTC datetime; SQLite returns the stored UTC time naive."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def service_summary(service: Service) -> ServiceSummaryOut:
    """Return the one-to-one fields of a service and its organisation."""
    return ServiceSummaryOut.model_validate(_summary_fields(service))


def nested_services(session: Session, services: Sequence[Service]) -> list[ServiceOut]:
    """Return fully nested services; load them with `NESTED_SERVICE_OPTIONS`."""
    service_ids = [service.id for service in services]
    attributes = _attributes_by_service(session, service_ids)
    contact_phones = _phones_by_contact(
        session, [contact.id for service in services for contact in service.contacts]
    )

    nested = []
    for service in services:
        fields = _summary_fields(service)
        fields.update(
            phones=[PhoneOut.model_validate(phone) for phone in sorted_phones(service)],
            schedules=sorted(
                service.schedules, key=lambda row: (row.description or "", row.id)
            ),
            service_areas=sorted(
                service.service_areas, key=lambda row: (row.name or "", row.id)
            ),
            service_at_locations=sorted(
                service.service_at_locations,
                key=lambda row: (row.location.name or "", row.id),
            ),
            contacts=[
                ContactOut.model_validate(contact).model_copy(
                    update={"phones": contact_phones.get(contact.id, [])}
                )
                for contact in service.contacts
            ],
            attributes=attributes.get(service.id, []),
        )
        nested.append(ServiceOut.model_validate(fields))
    return nested


def sorted_phones(service: Service) -> list[Phone]:
    """Return a service's phones in a stable order: voice first, then by type."""
    return sorted(
        service.phones,
        key=lambda phone: (PHONE_TYPE_ORDER.get(phone.type or "", 99), phone.number),
    )


def taxonomy_term_out(term: TaxonomyTerm) -> TaxonomyTermOut:
    """Return a taxonomy term with its taxonomy nested as `taxonomy_detail`."""
    out = TaxonomyTermOut.model_validate(term)
    if term.taxonomy_detail is not None:
        out.taxonomy_detail = TaxonomyOut.model_validate(term.taxonomy_detail)
    return out


def _summary_fields(service: Service) -> dict[str, object]:
    return {
        "id": service.id,
        "organization_id": service.organization_id,
        "name": service.name,
        "alternate_name": service.alternate_name,
        "description": service.description,
        "url": service.url,
        "email": service.email,
        "status": service.status,
        "interpretation_services": service.interpretation_services,
        "application_process": service.application_process,
        "fees_description": service.fees_description,
        "eligibility_description": service.eligibility_description,
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "assured_date": service.assured_date,
        "assurer_email": service.assurer_email,
        "alert": service.alert,
        "last_modified": as_utc(service.last_modified),
        "organization": OrganizationOut.model_validate(service.organization),
    }


def _attributes_by_service(
    session: Session, service_ids: list[str]
) -> dict[str, list[AttributeOut]]:
    if not service_ids:
        return {}
    statement = (
        select(Attribute)
        .join(TaxonomyTerm, Attribute.taxonomy_term_id == TaxonomyTerm.id)
        .where(Attribute.link_entity == SERVICE_ENTITY)
        .where(Attribute.link_id.in_(service_ids))
        .options(
            selectinload(Attribute.taxonomy_term).selectinload(
                TaxonomyTerm.taxonomy_detail
            )
        )
        .order_by(
            Attribute.link_id,
            TaxonomyTerm.taxonomy,
            TaxonomyTerm.code,
            Attribute.id,
        )
    )
    by_service: dict[str, list[AttributeOut]] = defaultdict(list)
    for attribute in session.scalars(statement):
        out = AttributeOut.model_validate(
            {
                "id": attribute.id,
                "link_id": attribute.link_id,
                "link_type": attribute.link_type,
                "link_entity": attribute.link_entity,
                "taxonomy_term_id": attribute.taxonomy_term_id,
                "value": attribute.value,
                "label": attribute.label,
                "taxonomy_term": taxonomy_term_out(attribute.taxonomy_term),
            }
        )
        by_service[attribute.link_id].append(out)
    return by_service


def _phones_by_contact(
    session: Session, contact_ids: list[str]
) -> dict[str, list[PhoneOut]]:
    if not contact_ids:
        return {}
    by_contact: dict[str, list[PhoneOut]] = defaultdict(list)
    statement = select(Phone).where(Phone.contact_id.in_(contact_ids))
    for phone in session.scalars(statement):
        if phone.contact_id is not None:
            by_contact[phone.contact_id].append(PhoneOut.model_validate(phone))
    return by_contact
