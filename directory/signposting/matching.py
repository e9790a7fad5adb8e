"""Published, active services and the tests that match them to a situation.

Services are read from the database on every call, so an edit to the directory
tables changes the next signposting result. The query already leaves out
services whose areas, characteristics or incident types cannot fit the
situation, so that a large directory is not read whole for every request;
`matches` then applies the full tests.
"""

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from directory import vocabulary
from directory.db.models import Service
from directory.db.queries import ServiceTerms, load_service_terms, service_has_term
from directory.signposting.schemas import Situation

logger = logging.getLogger(__name__)

# Taxonomies a service must have terms in to be matched at all.
REQUIRED_TAXONOMIES = (
    vocabulary.ROUTES_TAXONOMY,
    vocabulary.CHARACTERISTICS_TAXONOMY,
    vocabulary.INCIDENT_TYPES_TAXONOMY,
    vocabulary.AREAS_TAXONOMY,
)


@dataclass(frozen=True)
class Candidate:
    """A published, active service with the term codes linked to it."""

    service: Service
    routes: frozenset[str]
    characteristics: frozenset[str]
    faiths: frozenset[str]
    incident_types: frozenset[str]
    areas: frozenset[str]
    anonymous: bool

    @property
    def is_specialist(self) -> bool:
        """Return whether the service covers only some characteristics or faiths."""
        return bool(self.faiths) or vocabulary.ANY not in self.characteristics


def load_candidates(
    session: Session, situation: Situation | None = None
) -> list[Candidate]:
    """Read published, active services with their terms.

    With a situation, only services whose area, characteristic and incident
    type terms could match it are read. Phones and hours are not read here:
    `load_contact_details` reads them for the services that are suggested.

    NOTE: a service missing the terms of one of those taxonomies is then never
    read, so the warning about missing terms comes only from calls without a
    situation, which signposting does not make.
    """
    statement = (
        select(Service)
        .where(Service.published.is_(True), Service.status == "active")
        .execution_options(populate_existing=True)
    )
    if situation is not None:
        statement = statement.where(
            service_has_term(vocabulary.AREAS_TAXONOMY, _areas_that_fit(situation)),
            service_has_term(
                vocabulary.CHARACTERISTICS_TAXONOMY,
                {vocabulary.ANY, *targeted_characteristics(situation)},
            ),
            service_has_term(
                vocabulary.INCIDENT_TYPES_TAXONOMY,
                {vocabulary.ANY, *situation.incident_types},
            ),
        )
    services = session.scalars(statement).all()
    terms = load_service_terms(session, [service.id for service in services])

    candidates = []
    for service in services:
        service_terms = terms.get(service.id, {})
        missing = [name for name in REQUIRED_TAXONOMIES if name not in service_terms]
        if missing:
            logger.warning(
                "Service %s is published but has no %s terms, so it is never "
                "suggested; link it to terms of those taxonomies",
                service.id,
                ", ".join(missing),
            )
            continue
        candidates.append(_candidate(service, service_terms))
    return candidates


def load_contact_details(session: Session, services: list[Service]) -> None:
    """Load the phones and hours of `services` onto them, one query per table."""
    if not services:
        return
    statement = (
        select(Service)
        .where(Service.id.in_([service.id for service in services]))
        .options(selectinload(Service.phones), selectinload(Service.schedules))
        .execution_options(populate_existing=True)
    )
    session.scalars(statement).all()


def _candidate(service: Service, terms: ServiceTerms) -> Candidate:
    def codes(taxonomy: str) -> frozenset[str]:
        return frozenset(terms.get(taxonomy, set()))

    return Candidate(
        service=service,
        routes=codes(vocabulary.ROUTES_TAXONOMY),
        characteristics=codes(vocabulary.CHARACTERISTICS_TAXONOMY),
        faiths=codes(vocabulary.FAITHS_TAXONOMY),
        incident_types=codes(vocabulary.INCIDENT_TYPES_TAXONOMY),
        areas=codes(vocabulary.AREAS_TAXONOMY),
        anonymous=vocabulary.ANONYMOUS_REPORTING in codes(vocabulary.FLAGS_TAXONOMY),
    )


def targeted_characteristics(situation: Situation) -> frozenset[str]:
    """Return the situation's characteristics without `none`."""
    return frozenset(situation.characteristics) - {"none"}


def matches(candidate: Candidate, situation: Situation) -> bool:
    """Return whether a service fits the situation's people, incident, area and age."""
    return (
        _covers_characteristics(candidate, situation)
        and _covers_faiths(candidate, situation)
        and _covers_incident(candidate, situation)
        and _covers_area(candidate, situation)
        and _covers_age(candidate, situation)
    )


def _covers_characteristics(candidate: Candidate, situation: Situation) -> bool:
    if vocabulary.ANY in candidate.characteristics:
        return True
    return bool(candidate.characteristics & targeted_characteristics(situation))


def _covers_faiths(candidate: Candidate, situation: Situation) -> bool:
    """Return whether a faith-specific service covers one of the situation's faiths."""
    if not candidate.faiths:
        return True
    return bool(candidate.faiths & set(situation.faiths))


def _covers_incident(candidate: Candidate, situation: Situation) -> bool:
    if vocabulary.ANY in candidate.incident_types:
        return True
    return bool(candidate.incident_types & set(situation.incident_types))


def _areas_that_fit(situation: Situation) -> set[str]:
    """Return the area codes of which a service needs one to pass `_covers_area`."""
    if situation.area == vocabulary.OUTSIDE_LLR:
        return {vocabulary.NATIONAL}
    areas = {vocabulary.NATIONAL, vocabulary.LLR}
    if situation.area is not None:
        areas.add(situation.area)
    return areas


def _covers_area(candidate: Candidate, situation: Situation) -> bool:
    """Apply the area rule: national always, LLR inside LLR or unknown, councils."""
    if vocabulary.NATIONAL in candidate.areas:
        return True
    if situation.area == vocabulary.OUTSIDE_LLR:
        return False
    if vocabulary.LLR in candidate.areas:
        return True
    return situation.area in candidate.areas


def _covers_age(candidate: Candidate, situation: Situation) -> bool:
    """Offer services with a maximum age to under-18s only, and adult ones to adults."""
    service = candidate.service
    if service.maximum_age is not None and not situation.under_18:
        return False
    if service.minimum_age is not None and service.minimum_age >= 18:
        return not situation.under_18
    return True
