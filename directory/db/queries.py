"""Queries over the HSDS attribute links between services and taxonomy terms."""

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from directory.db.models import Attribute, Service, Taxonomy, TaxonomyTerm

SERVICE_ENTITY = "service"

# Maps taxonomy name to the set of term codes linked to one service.
ServiceTerms = dict[str, set[str]]


def load_service_terms(
    session: Session, service_ids: Collection[str]
) -> dict[str, ServiceTerms]:
    """Return the taxonomy term codes of each service, grouped by taxonomy name."""
    terms: dict[str, ServiceTerms] = defaultdict(lambda: defaultdict(set))
    if not service_ids:
        return {}

    statement = (
        select(Attribute.link_id, Taxonomy.name, TaxonomyTerm.code)
        .join(TaxonomyTerm, Attribute.taxonomy_term_id == TaxonomyTerm.id)
        .join(Taxonomy, TaxonomyTerm.taxonomy_id == Taxonomy.id)
        .where(Attribute.link_entity == SERVICE_ENTITY)
        .where(Attribute.link_id.in_(list(service_ids)))
    )
    for service_id, taxonomy_name, code in session.execute(statement):
        if code is not None:
            terms[service_id][taxonomy_name].add(code)

    return {service_id: dict(by_taxonomy) for service_id, by_taxonomy in terms.items()}


def service_has_term(taxonomy_name: str, codes: Collection[str]) -> ColumnElement[bool]:
    """Return a condition on `Service` rows: linked to one of `codes` of a taxonomy."""
    linked = (
        select(Attribute.link_id)
        .join(TaxonomyTerm, Attribute.taxonomy_term_id == TaxonomyTerm.id)
        .join(Taxonomy, TaxonomyTerm.taxonomy_id == Taxonomy.id)
        .where(Attribute.link_entity == SERVICE_ENTITY)
        .where(Taxonomy.name == taxonomy_name)
        .where(TaxonomyTerm.code.in_(list(codes)))
    )
    return Service.id.in_(linked)


def delete_service(session: Session, service: Service) -> None:
    """Delete a service and its attribute links, which have no foreign key."""
    session.execute(
        delete(Attribute)
        .where(Attribute.link_entity == SERVICE_ENTITY)
        .where(Attribute.link_id == service.id)
    )
    session.delete(service)
