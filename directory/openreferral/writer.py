"""Write cleaned service drafts to the directory tables.

The caller checks the drafts first (`importer.check_draft`), so that writing
raises only on a database failure and one transaction covers the whole file.
"""

from dataclasses import fields
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from directory import vocabulary
from directory.db.models import (
    Address,
    Attribute,
    Contact,
    Location,
    Metadata,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    new_id,
)
from directory.db.queries import SERVICE_ENTITY
from directory.openreferral.cleaning import derived_id
from directory.openreferral.drafts import (
    ContactDraft,
    LocationDraft,
    OrganizationDraft,
    ServiceDraft,
    TermDraft,
)
from directory.openreferral.report import RecordContext

UPDATED_BY = "directory.openreferral import"
PROJECT_TAXONOMIES = frozenset(
    {*(item.name for item in vocabulary.FIXED_VOCABULARIES), vocabulary.AREAS_TAXONOMY}
)
# Service columns that a draft carries, in the HSDS names.
SERVICE_SCALARS = (
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "status",
    "interpretation_services",
    "application_process",
    "fees_description",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "assurer_email",
    "alert",
)


class DirectoryWriter:
    """Create or update services from drafts in one session."""

    def __init__(self, session: Session, *, publish: bool, source: str) -> None:
        self.session = session
        self.publish = publish
        self.source = source
        self.now = datetime.now(UTC)

    def write(self, draft: ServiceDraft, context: RecordContext) -> bool:
        """Write one service; return True if it was created, False if updated."""
        organization = self._organization(draft.organization)
        service = self.session.get(Service, draft.id)
        created = service is None
        if service is None:
            service = Service(id=draft.id, published=self.publish)
            self.session.add(service)
        elif self.publish:
            service.published = True

        service.organization = organization
        for name in SERVICE_SCALARS:
            if draft.given_fields is None or name in draft.given_fields:
                setattr(service, name, getattr(draft, name))
        service.last_modified = self.now

        self._children(service, draft)
        self.session.flush()
        self._terms(service, draft, context)
        self.session.add(
            Metadata(
                resource_id=service.id,
                resource_type=SERVICE_ENTITY,
                last_action_date=self.now,
                last_action_type="create" if created else "update",
                field_name="import",
                previous_value="",
                replacement_value=f"{self.source}, record {draft.record_number}",
                updated_by=UPDATED_BY,
            )
        )
        self.session.flush()
        return created

    def _organization(self, draft: OrganizationDraft) -> Organization:
        organization = None
        if draft.id is not None:
            organization = self.session.get(Organization, draft.id)
        if organization is None and draft.name:
            organization = self.session.scalars(
                select(Organization)
                .where(func.lower(Organization.name) == draft.name.lower())
                .order_by(Organization.id)
                .limit(1)
            ).first()
        if organization is None:
            organization = Organization(
                id=draft.id or derived_id("organization", draft.name),
                name=draft.name,
                description="",
            )
            self.session.add(organization)
        if draft.name:
            organization.name = draft.name
        for field in fields(draft):
            value = getattr(draft, field.name)
            if field.name not in {"id", "name"} and value is not None:
                setattr(organization, field.name, value)
        return organization

    def _children(self, service: Service, draft: ServiceDraft) -> None:
        if draft.phones is not None:
            service.phones = [
                Phone(
                    number=phone.number,
                    extension=phone.extension,
                    type=phone.type,
                    description=phone.description,
                )
                for phone in draft.phones
            ]
        if draft.schedules is not None:
            service.schedules = [
                Schedule(
                    **{
                        field.name: getattr(schedule, field.name)
                        for field in fields(schedule)
                    }
                )
                for schedule in draft.schedules
            ]
        if draft.area_codes_for_service_areas is not None:
            service.service_areas = self._areas_from_codes(
                draft.area_codes_for_service_areas
            )
        elif draft.service_areas is not None:
            service.service_areas = [
                ServiceArea(
                    **{field.name: getattr(area, field.name) for field in fields(area)}
                )
                for area in draft.service_areas
            ]
        if draft.contacts is not None:
            self._contacts(service, draft.contacts)
        if draft.locations is not None:
            self._locations(service, draft, draft.locations)

    def _contacts(self, service: Service, drafts: list[ContactDraft]) -> None:
        """Replace the contacts, then add their phones once the contacts exist."""
        contacts = [
            Contact(
                id=new_id(),
                name=draft.name,
                title=draft.title,
                department=draft.department,
                email=draft.email,
            )
            for draft in drafts
        ]
        service.contacts = contacts
        self.session.flush()
        for contact, draft in zip(contacts, drafts, strict=True):
            self.session.add_all(
                Phone(
                    contact_id=contact.id,
                    number=phone.number,
                    extension=phone.extension,
                    type=phone.type,
                    description=phone.description,
                )
                for phone in draft.phones
            )

    def _areas_from_codes(self, codes: list[str]) -> list[ServiceArea]:
        """Build service area rows from area codes, as the seed does."""
        terms = {
            term.code: term
            for term in self.session.scalars(
                select(TaxonomyTerm)
                .join(Taxonomy, TaxonomyTerm.taxonomy_id == Taxonomy.id)
                .where(Taxonomy.name == vocabulary.AREAS_TAXONOMY)
                .where(TaxonomyTerm.code.in_(codes))
            )
        }
        areas = []
        for code in codes:
            term = terms.get(code)
            if term is None:
                continue
            areas.append(
                ServiceArea(
                    name=term.name, description=term.description, uri=term.term_uri
                )
            )
        return areas

    def _locations(
        self, service: Service, draft: ServiceDraft, locations: list[LocationDraft]
    ) -> None:
        existing = {link.location_id: link for link in service.service_at_locations}
        links = []
        seen: set[str] = set()
        for location_draft in locations:
            location = self._location(service, draft, location_draft)
            if location.id in seen:
                continue
            seen.add(location.id)
            link = existing.get(location.id) or ServiceAtLocation(location=location)
            link.description = location_draft.service_description
            links.append(link)
        service.service_at_locations = links

    def _location(
        self, service: Service, draft: ServiceDraft, location_draft: LocationDraft
    ) -> Location:
        postal_code = (
            location_draft.addresses[0].postal_code
            if location_draft.addresses
            else None
        )
        location_id = location_draft.id or derived_id(
            "location",
            draft.organization.id or draft.organization.name,
            location_draft.name,
            postal_code,
        )
        location = self.session.get(Location, location_id)
        if location is None:
            location = Location(id=location_id, organization_id=service.organization.id)
            self.session.add(location)
        for field in fields(location_draft):
            if field.name not in {"id", "addresses", "service_description"}:
                setattr(location, field.name, getattr(location_draft, field.name))
        location.addresses = [
            Address(
                **{
                    field.name: getattr(address, field.name)
                    for field in fields(address)
                }
            )
            for address in location_draft.addresses
        ]
        return location

    def _terms(
        self, service: Service, draft: ServiceDraft, context: RecordContext
    ) -> None:
        replaced = self._replaced_attribute_ids(service, draft)
        if replaced:
            self.session.execute(delete(Attribute).where(Attribute.id.in_(replaced)))

        linked = set(
            self.session.scalars(
                select(Attribute.taxonomy_term_id)
                .where(Attribute.link_entity == SERVICE_ENTITY)
                .where(Attribute.link_id == service.id)
            )
        )
        for term_draft in draft.terms:
            term = self._term(term_draft, context)
            if term is None or term.id in linked:
                continue
            linked.add(term.id)
            self.session.add(
                Attribute(
                    link_id=service.id,
                    link_entity=SERVICE_ENTITY,
                    link_type=term_draft.link_type
                    or vocabulary.LINK_TYPES.get(term.taxonomy or ""),
                    taxonomy_term_id=term.id,
                    value=term_draft.value,
                    label=term_draft.label,
                )
            )

    def _replaced_attribute_ids(
        self, service: Service, draft: ServiceDraft
    ) -> list[str]:
        if not draft.replace_taxonomies and not draft.all_other_taxonomies:
            return []
        rows = self.session.execute(
            select(Attribute.id, Taxonomy.name)
            .join(TaxonomyTerm, Attribute.taxonomy_term_id == TaxonomyTerm.id)
            .outerjoin(Taxonomy, TaxonomyTerm.taxonomy_id == Taxonomy.id)
            .where(Attribute.link_entity == SERVICE_ENTITY)
            .where(Attribute.link_id == service.id)
        )
        return [
            attribute_id
            for attribute_id, taxonomy_name in rows
            if taxonomy_name in draft.replace_taxonomies
            or (draft.all_other_taxonomies and taxonomy_name not in PROJECT_TAXONOMIES)
        ]

    def _term(self, draft: TermDraft, context: RecordContext) -> TaxonomyTerm | None:
        """Return the term a draft names, creating terms of other taxonomies."""
        if not draft.taxonomy:
            term = (
                self.session.get(TaxonomyTerm, draft.term_id) if draft.term_id else None
            )
            if term is None:
                context.warn(
                    f"taxonomy term {draft.term_id!r} dropped: it is not in the "
                    "directory and the record does not name its taxonomy"
                )
            return term

        taxonomy = self.session.scalars(
            select(Taxonomy).where(Taxonomy.name == draft.taxonomy)
        ).first()
        if draft.taxonomy in PROJECT_TAXONOMIES:
            term = None
            if taxonomy is not None:
                term = self.session.scalars(
                    select(TaxonomyTerm)
                    .where(TaxonomyTerm.taxonomy_id == taxonomy.id)
                    .where(TaxonomyTerm.code == draft.code)
                ).first()
            if term is None:
                context.warn(
                    f"term {draft.code!r} of {draft.taxonomy} dropped: the "
                    "directory has no such code"
                )
            return term

        if taxonomy is None:
            taxonomy_id = draft.taxonomy_id
            if (
                taxonomy_id is None
                or self.session.get(Taxonomy, taxonomy_id) is not None
            ):
                taxonomy_id = derived_id("taxonomy", draft.taxonomy)
            taxonomy = Taxonomy(
                id=taxonomy_id,
                name=draft.taxonomy,
                description=draft.taxonomy_description or "",
                uri=draft.taxonomy_uri,
                version=draft.taxonomy_version,
            )
            self.session.add(taxonomy)
            self.session.flush()

        term = self.session.scalars(
            select(TaxonomyTerm)
            .where(TaxonomyTerm.taxonomy_id == taxonomy.id)
            .where(TaxonomyTerm.code == draft.code)
        ).first()
        if term is None:
            term_id = draft.term_id
            if term_id is None or self.session.get(TaxonomyTerm, term_id) is not None:
                term_id = derived_id("taxonomy_term", taxonomy.name, draft.code)
            term = TaxonomyTerm(
                id=term_id,
                code=draft.code,
                name=draft.name or draft.code,
                description=draft.description or "",
                taxonomy=taxonomy.name,
                taxonomy_id=taxonomy.id,
                term_uri=draft.term_uri,
            )
            self.session.add(term)
            self.session.flush()
        return term
