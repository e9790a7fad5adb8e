"""Public read API of the directory, Open Referral UK style, at `/openreferral`.

Only published services whose status is active or temporarily closed are
shown (see `queries.visible_service`); any other service id is 404, as an
unknown one is. Taxonomies and terms are public vocabularies and all shown.
"""

import copy
import logging
import unicodedata
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy import or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from directory.db.models import ID_LENGTH, Service, Taxonomy, TaxonomyTerm
from directory.db.session import get_session
from directory.openreferral.areas import (
    AREA_CODES,
    AreaFilter,
    InvalidPostcodeError,
    filter_for_area,
    filter_for_postcode,
)
from directory.openreferral.cors import OpenCORSMiddleware
from directory.openreferral.queries import (
    LIKE_ESCAPE,
    ServiceQuery,
    filtered_services,
    like_pattern,
    page_of,
    visible_service,
)
from directory.openreferral.schemas import (
    HSDS_VERSION,
    PROFILE_URI,
    ApiInfo,
    Page,
    ServiceOut,
    ServiceSummaryOut,
    TaxonomyOut,
    TaxonomyTermOut,
)
from directory.openreferral.serialize import (
    NESTED_SERVICE_OPTIONS,
    nested_services,
    service_summary,
    taxonomy_term_out,
)

logger = logging.getLogger(__name__)

PREFIX = "/openreferral"
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# Deep pages are refused rather than passed to the database as huge offsets.
MAX_PAGE = 100_000
MAX_SEARCH_CHARS = 200
MAX_ID_CHARS = ID_LENGTH
SCHEMA_REF = "#/components/schemas/"


class DatabaseErrorRoute(APIRoute):
    """An API route that returns 503, not 500, when the database fails."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except SQLAlchemyError:
                logger.exception(
                    "Open Referral request %s failed: the database query failed",
                    request.url.path,
                )
                return JSONResponse(
                    status_code=503,
                    content={
                        "detail": "The directory is unavailable just now. "
                        "Please try again in a few minutes."
                    },
                )

        return handle


router = APIRouter(prefix=PREFIX, tags=["openreferral"], route_class=DatabaseErrorRoute)

SessionDependency = Annotated[Session, Depends(get_session)]
PageParameter = Annotated[
    int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")
]
PerPageParameter = Annotated[
    int,
    Query(ge=1, le=MAX_PER_PAGE, description=f"Items per page, 1 to {MAX_PER_PAGE}."),
]
SearchParameter = Annotated[
    str | None,
    Query(
        max_length=MAX_SEARCH_CHARS,
        description="Text to find in the name or description (case-insensitive).",
    ),
]
IdParameter = Annotated[str | None, Query(max_length=MAX_ID_CHARS)]


def _reject(parameter: str, value: object, message: str) -> RequestValidationError:
    """Return a 422 error for a query parameter, in FastAPI's own error shape."""
    return RequestValidationError(
        [
            {
                "type": "value_error",
                "loc": ("query", parameter),
                "msg": message,
                "input": value,
            }
        ]
    )


def _check_text(parameter: str, value: str | None) -> str | None:
    """Reject text with control characters, which no name or id contains."""
    if value is None:
        return None
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise _reject(parameter, value, "must not contain control characters")
    return value


def _is_usable_id(value: str) -> bool:
    return len(value) <= MAX_ID_CHARS and not any(
        unicodedata.category(char) == "Cc" for char in value
    )


def _area_filter(postcode: str | None, area: str | None) -> AreaFilter | None:
    if postcode is not None and area is not None:
        raise _reject("area", area, "give either postcode or area, not both")
    if area is not None:
        if area not in AREA_CODES:
            allowed = ", ".join(AREA_CODES)
            raise _reject("area", area, f"unknown area; use one of: {allowed}")
        return filter_for_area(area)
    if postcode is not None:
        try:
            return filter_for_postcode(postcode)
        except InvalidPostcodeError as exc:
            raise _reject("postcode", postcode, str(exc)) from exc
    return None


def _as_utc(parameter: str, moment: datetime | None) -> datetime | None:
    """Return `moment` in UTC, taking a time without an offset to be UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise _reject(parameter, moment.isoformat(), "is out of range") from exc


@router.get(
    "/",
    response_model=ApiInfo,
    response_model_exclude_none=True,
    summary="Version and profile of this API",
)
def api_info(request: Request) -> ApiInfo:
    """Return the HSDS version, the profile and where the OpenAPI document is."""
    return ApiInfo(
        version=HSDS_VERSION,
        profile=PROFILE_URI,
        openapi_url=str(request.url_for("openreferral_openapi")),
        description=(
            "Services for people affected by hate crime in Leicester, "
            "Leicestershire and Rutland, in the Open Referral UK format."
        ),
    )


@router.get("/openapi.json", include_in_schema=False, name="openreferral_openapi")
def openapi_document(request: Request) -> dict[str, Any]:
    """Return the app's OpenAPI document cut down to the Open Referral paths."""
    app: FastAPI = request.app
    document = copy.deepcopy(app.openapi())
    document["info"] = {
        "title": "Speak Out Space directory: Open Referral UK API",
        "version": HSDS_VERSION,
        "description": "Read-only HSDS 3.0 feed of the published support directory.",
    }
    document["paths"] = {
        path: item
        for path, item in document.get("paths", {}).items()
        if path.startswith(PREFIX)
    }
    schemas = document.get("components", {}).get("schemas", {})
    used = _referenced_schemas(document["paths"], schemas)
    if schemas:
        document["components"]["schemas"] = {
            name: schema for name, schema in schemas.items() if name in used
        }
    return document


def _referenced_schemas(root: object, schemas: dict[str, Any]) -> set[str]:
    """Return the names of the component schemas that `root` refers to, at any depth."""
    found: set[str] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str) and reference.startswith(SCHEMA_REF):
                name = reference.removeprefix(SCHEMA_REF)
                if name not in found:
                    found.add(name)
                    pending.append(schemas.get(name))
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found


@router.get(
    "/services",
    response_model=Page[ServiceSummaryOut],
    response_model_exclude_none=True,
    summary="Paginated list of published services",
)
def list_services(
    session: SessionDependency,
    search: SearchParameter = None,
    taxonomy_term_id: IdParameter = None,
    taxonomy_id: IdParameter = None,
    organization_id: IdParameter = None,
    modified_after: Annotated[
        datetime | None,
        Query(
            description=(
                "Only services changed at or after this ISO 8601 time; a time "
                "without an offset is taken as UTC."
            )
        ),
    ] = None,
    postcode: Annotated[
        str | None,
        Query(
            max_length=16,
            description=(
                "Only services covering this UK postcode or postcode district, "
                "such as 'LE1 5WW' or 'LE1'. Outside LLR, national services only."
            ),
        ),
    ] = None,
    area: Annotated[
        str | None,
        Query(
            max_length=64,
            description=(
                "Only services covering this area: a council id such as "
                f"'charnwood', or 'llr' or 'national'. One of {', '.join(AREA_CODES)}."
            ),
        ),
    ] = None,
    page: PageParameter = 1,
    per_page: PerPageParameter = DEFAULT_PER_PAGE,
) -> Page[ServiceSummaryOut]:
    """Return one page of the published services that match every filter."""
    query = ServiceQuery(
        search=_check_text("search", search),
        taxonomy_term_id=_check_text("taxonomy_term_id", taxonomy_term_id),
        taxonomy_id=_check_text("taxonomy_id", taxonomy_id),
        organization_id=_check_text("organization_id", organization_id),
        modified_after=_as_utc("modified_after", modified_after),
        areas=_area_filter(
            _check_text("postcode", postcode), _check_text("area", area)
        ),
    )
    statement = (
        filtered_services(query)
        .options(selectinload(Service.organization))
        .order_by(Service.name, Service.id)
    )
    page_slice, services = page_of(session, statement, page, per_page)
    contents = [service_summary(service) for service in services]
    return Page[ServiceSummaryOut](
        **page_slice.wrapper(len(contents)), contents=contents
    )


@router.get(
    "/services/{id}",
    response_model=ServiceOut,
    response_model_exclude_none=True,
    summary="A published service with all its related data",
    responses={404: {"description": "No published service has this id."}},
)
def get_service(id: str, session: SessionDependency) -> ServiceOut:
    """Return one fully nested published service, or 404."""
    service = None
    if _is_usable_id(id):
        service = session.scalar(
            select(Service)
            .where(Service.id == id, visible_service())
            .options(*NESTED_SERVICE_OPTIONS)
        )
    if service is None:
        raise HTTPException(status_code=404, detail=f"No service has the id {id!r}.")
    return nested_services(session, [service])[0]


@router.get(
    "/taxonomies",
    response_model=Page[TaxonomyOut],
    response_model_exclude_none=True,
    summary="Paginated list of taxonomies",
)
def list_taxonomies(
    session: SessionDependency,
    search: SearchParameter = None,
    page: PageParameter = 1,
    per_page: PerPageParameter = DEFAULT_PER_PAGE,
) -> Page[TaxonomyOut]:
    """Return one page of the taxonomies, ordered by name."""
    statement = select(Taxonomy).order_by(Taxonomy.name, Taxonomy.id)
    text = _check_text("search", search)
    if text:
        pattern = like_pattern(text)
        statement = statement.where(
            or_(
                Taxonomy.name.ilike(pattern, escape=LIKE_ESCAPE),
                Taxonomy.description.ilike(pattern, escape=LIKE_ESCAPE),
            )
        )
    page_slice, taxonomies = page_of(session, statement, page, per_page)
    contents = [TaxonomyOut.model_validate(taxonomy) for taxonomy in taxonomies]
    return Page[TaxonomyOut](**page_slice.wrapper(len(contents)), contents=contents)


@router.get(
    "/taxonomies/{id}",
    response_model=TaxonomyOut,
    response_model_exclude_none=True,
    summary="A taxonomy",
    responses={404: {"description": "No taxonomy has this id."}},
)
def get_taxonomy(id: str, session: SessionDependency) -> TaxonomyOut:
    """Return one taxonomy, or 404."""
    taxonomy = session.get(Taxonomy, id) if _is_usable_id(id) else None
    if taxonomy is None:
        raise HTTPException(status_code=404, detail=f"No taxonomy has the id {id!r}.")
    return TaxonomyOut.model_validate(taxonomy)


@router.get(
    "/taxonomy_terms",
    response_model=Page[TaxonomyTermOut],
    response_model_exclude_none=True,
    summary="Paginated list of taxonomy terms",
)
def list_taxonomy_terms(
    session: SessionDependency,
    search: SearchParameter = None,
    taxonomy_id: IdParameter = None,
    parent_id: IdParameter = None,
    top_only: Annotated[
        bool, Query(description="Only terms that have no parent term.")
    ] = False,
    page: PageParameter = 1,
    per_page: PerPageParameter = DEFAULT_PER_PAGE,
) -> Page[TaxonomyTermOut]:
    """Return one page of taxonomy terms, ordered by taxonomy and code."""
    statement = (
        select(TaxonomyTerm)
        .options(selectinload(TaxonomyTerm.taxonomy_detail))
        .order_by(TaxonomyTerm.taxonomy, TaxonomyTerm.code, TaxonomyTerm.id)
    )
    text = _check_text("search", search)
    if text:
        pattern = like_pattern(text)
        statement = statement.where(
            or_(
                TaxonomyTerm.name.ilike(pattern, escape=LIKE_ESCAPE),
                TaxonomyTerm.code.ilike(pattern, escape=LIKE_ESCAPE),
                TaxonomyTerm.description.ilike(pattern, escape=LIKE_ESCAPE),
            )
        )
    if taxonomy_id is not None:
        statement = statement.where(
            TaxonomyTerm.taxonomy_id == _check_text("taxonomy_id", taxonomy_id)
        )
    if parent_id is not None:
        statement = statement.where(
            TaxonomyTerm.parent_id == _check_text("parent_id", parent_id)
        )
    if top_only:
        statement = statement.where(TaxonomyTerm.parent_id.is_(None))
    page_slice, terms = page_of(session, statement, page, per_page)
    contents = [taxonomy_term_out(term) for term in terms]
    return Page[TaxonomyTermOut](**page_slice.wrapper(len(contents)), contents=contents)


@router.get(
    "/taxonomy_terms/{id}",
    response_model=TaxonomyTermOut,
    response_model_exclude_none=True,
    summary="A taxonomy term",
    responses={404: {"description": "No taxonomy term has this id."}},
)
def get_taxonomy_term(id: str, session: SessionDependency) -> TaxonomyTermOut:
    """Return one taxonomy term with its taxonomy, or 404."""
    term = session.get(TaxonomyTerm, id) if _is_usable_id(id) else None
    if term is None:
        raise HTTPException(
            status_code=404, detail=f"No taxonomy term has the id {id!r}."
        )
    return taxonomy_term_out(term)


def install_openreferral_api(app: FastAPI) -> None:
    """Add the Open Referral router and its open CORS policy to `app`."""
    app.include_router(router)
    app.add_middleware(OpenCORSMiddleware, path_prefix=PREFIX)
