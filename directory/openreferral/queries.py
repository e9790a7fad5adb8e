"""Queries of the public API: which services are visible and how they are filtered."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from directory import vocabulary
from directory.db.models import (
    Attribute,
    Organization,
    Service,
    Taxonomy,
    TaxonomyTerm,
)
from directory.db.queries import SERVICE_ENTITY
from directory.openreferral.areas import AreaFilter

# Statuses of published services that the API shows. A temporarily closed
# service is shown with its status, so that readers know it will reopen.
# Inactive and defunct services are kept for the record but not offered.
VISIBLE_STATUSES = ("active", "temporarily closed")
LIKE_ESCAPE = "\\"

RowT = TypeVar("RowT")


@dataclass(frozen=True)
class ServiceQuery:
    """The filters of `GET /services`; None means no filter."""

    search: str | None = None
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    modified_after: datetime | None = None
    areas: AreaFilter | None = None


@dataclass(frozen=True)
class PageSlice:
    """The numbers of a page of results."""

    total_items: int
    page_number: int
    per_page: int

    @property
    def total_pages(self) -> int:
        """Return the number of pages, 0 when nothing matches."""
        return math.ceil(self.total_items / self.per_page)

    @property
    def offset(self) -> int:
        """Return the index of the first item of this page."""
        return (self.page_number - 1) * self.per_page

    def wrapper(self, size: int) -> dict[str, Any]:
        """Return the HSDS page fields for a page of `size` items."""
        return {
            "total_items": self.total_items,
            "total_pages": self.total_pages,
            "page_number": self.page_number,
            "size": size,
            "first_page": self.page_number == 1,
            "last_page": self.page_number >= self.total_pages,
            "empty": self.total_items == 0,
        }


def visible_service() -> ColumnElement[bool]:
    """Return the condition for a service that the public API shows."""
    return and_(Service.published.is_(True), Service.status.in_(VISIBLE_STATUSES))


def like_pattern(text: str) -> str:
    """Return a LIKE pattern that matches `text` anywhere, with wildcards escaped."""
    escaped = (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


def _has_term(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """Return whether the service has an attribute whose term meets `condition`."""
    return exists(
        select(Attribute.id)
        .join(TaxonomyTerm, Attribute.taxonomy_term_id == TaxonomyTerm.id)
        .where(Attribute.link_entity == SERVICE_ENTITY)
        .where(Attribute.link_id == Service.id)
        .where(condition)
    )


def _area_condition(areas: AreaFilter) -> ColumnElement[bool]:
    area_taxonomy = select(Taxonomy.id).where(
        Taxonomy.name == vocabulary.AREAS_TAXONOMY
    )
    return _has_term(
        and_(
            TaxonomyTerm.taxonomy_id.in_(area_taxonomy.scalar_subquery()),
            TaxonomyTerm.code.in_(sorted(areas.codes)),
        )
    )


def filtered_services(query: ServiceQuery) -> Select[Service]:
    """Return the visible services that match every filter of `query`."""
    statement = select(Service).where(visible_service())
    if query.search:
        pattern = like_pattern(query.search)
        # The organisations that match are found once, not once per service.
        matching_organizations = select(Organization.id).where(
            Organization.name.ilike(pattern, escape=LIKE_ESCAPE)
        )
        statement = statement.where(
            or_(
                Service.name.ilike(pattern, escape=LIKE_ESCAPE),
                Service.description.ilike(pattern, escape=LIKE_ESCAPE),
                Service.organization_id.in_(matching_organizations),
            )
        )
    if query.taxonomy_term_id is not None:
        statement = statement.where(
            _has_term(TaxonomyTerm.id == query.taxonomy_term_id)
        )
    if query.taxonomy_id is not None:
        statement = statement.where(
            _has_term(TaxonomyTerm.taxonomy_id == query.taxonomy_id)
        )
    if query.organization_id is not None:
        statement = statement.where(Service.organization_id == query.organization_id)
    if query.modified_after is not None:
        statement = statement.where(Service.last_modified >= query.modified_after)
    if query.areas is not None:
        statement = statement.where(_area_condition(query.areas))
    return statement


def count(session: Session, statement: Select[Any]) -> int:
    """Return the number of rows that `statement` selects.

    The statement's ORDER BY is dropped first: it cannot change the count, and
    PostgreSQL would otherwise sort every matching row before counting them.
    """
    unordered = statement.order_by(None)
    total = session.scalar(select(func.count()).select_from(unordered.subquery()))
    return total or 0


def page_of(
    session: Session, statement: Select[RowT], page: int, per_page: int
) -> tuple[PageSlice, Sequence[RowT]]:
    """Return the page numbers and the rows of one page of `statement`."""
    page_slice = PageSlice(count(session, statement), page, per_page)
    rows = session.scalars(
        statement.offset(page_slice.offset).limit(page_slice.per_page)
    ).all()
    return page_slice, rows
