"""Load the starting directory records into the database.

Run `python -m directory.seed`: it upgrades the database to the latest Alembic
revision, then loads `data/llr_support_directory.json` if the service table is
empty. `seed_directory` itself is idempotent: it adds only the taxonomies,
terms and services that are missing and never changes existing rows, so edits
made by staff survive.
"""

import argparse
import logging
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory import vocabulary
from directory.db.models import (
    Attribute,
    Metadata,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    Taxonomy,
    TaxonomyTerm,
)
from directory.db.queries import SERVICE_ENTITY
from directory.db.session import make_engine, make_sessionmaker
from directory.settings import REPO_ROOT, settings

logger = logging.getLogger(__name__)

DATA_FILE_NAME = "llr_support_directory.json"
UPDATED_BY = "directory.seed"
ONS_GEOGRAPHY_URI = "http://statistics.data.gov.uk/id/statistical-geography/{code}"


class SeedError(Exception):
    """The data file is missing or does not describe valid directory records."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CouncilRecord(_Record):
    """A council area of LLR as the data file lists it."""

    id: str
    name: str
    ons_code: str
    kind: str


class ContactsRecord(_Record):
    """The contact details of a service in the data file."""

    phone: str | None = None
    text: str | None = None
    text_relay: str | None = None
    email: str | None = None
    url: str | None = None
    phone_note: str | None = None


class ServiceRecord(_Record):
    """A service as the data file lists it."""

    id: str
    name: str
    organization: str
    description: str
    routes: list[str] = Field(min_length=1)
    characteristics: list[str] = Field(min_length=1)
    faiths: list[str] = Field(default_factory=list)
    incident_types: list[str] = Field(min_length=1)
    areas: list[str] = Field(min_length=1)
    contacts: ContactsRecord
    hours: str | None = None
    anonymous: bool
    max_age: int | None = None
    source: str
    verified: bool


class DirectoryFile(_Record):
    """The whole data file."""

    about: str = ""
    councils: list[CouncilRecord]
    services: list[ServiceRecord]


def read_directory_file(path: Path) -> DirectoryFile:
    """Read and validate the starting directory records."""
    try:
        return DirectoryFile.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise SeedError(
            f"Directory data file {path} could not be read ({exc.strerror}). "
            "Pass the right path with --data."
        ) from exc
    except ValidationError as exc:
        raise SeedError(
            f"Directory data file {path} is invalid: {exc}. Fix the records and "
            "run the seed again."
        ) from exc


class _TermIndex:
    """Taxonomy terms by taxonomy name and code, created on first request."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.terms: dict[tuple[str, str], TaxonomyTerm] = {}

    def ensure_vocabulary(self, vocabulary_: vocabulary.Vocabulary) -> Taxonomy:
        """Create the taxonomy and any missing terms of a vocabulary."""
        taxonomy = self._taxonomy(vocabulary_)
        for term in vocabulary_.terms:
            self.ensure_term(taxonomy, term)
        return taxonomy

    def ensure_term(
        self,
        taxonomy: Taxonomy,
        term: vocabulary.Term,
        *,
        parent_code: str | None = None,
        term_uri: str | None = None,
    ) -> TaxonomyTerm:
        """Return the term with this code, creating it when it is missing."""
        key = (taxonomy.name, term.code)
        if key in self.terms:
            return self.terms[key]

        existing = self.session.scalar(
            select(TaxonomyTerm).where(
                TaxonomyTerm.taxonomy_id == taxonomy.id, TaxonomyTerm.code == term.code
            )
        )
        if existing is None:
            parent = (
                self.terms.get((taxonomy.name, parent_code)) if parent_code else None
            )
            existing = TaxonomyTerm(
                code=term.code,
                name=term.name,
                description=term.description,
                taxonomy=taxonomy.name,
                taxonomy_id=taxonomy.id,
                parent_id=parent.id if parent else None,
                language="en",
                term_uri=term_uri,
            )
            self.session.add(existing)
            self.session.flush()
        self.terms[key] = existing
        return existing

    def get(self, taxonomy_name: str, code: str) -> TaxonomyTerm:
        """Return a term created earlier, or raise SeedError for an unknown code."""
        try:
            return self.terms[(taxonomy_name, code)]
        except KeyError as exc:
            raise SeedError(
                f"Unknown code {code!r} in taxonomy {taxonomy_name!r}. Use a code "
                "listed in directory/vocabulary.py or fix the data file."
            ) from exc

    def _taxonomy(self, vocabulary_: vocabulary.Vocabulary) -> Taxonomy:
        taxonomy = self.session.scalar(
            select(Taxonomy).where(Taxonomy.name == vocabulary_.name)
        )
        if taxonomy is None:
            taxonomy = Taxonomy(
                name=vocabulary_.name, description=vocabulary_.description
            )
            self.session.add(taxonomy)
            self.session.flush()
        return taxonomy


def seed_directory(session: Session, data: DirectoryFile) -> int:
    """Add the missing taxonomies, terms and services; return the services added."""
    terms = _TermIndex(session)
    for fixed in vocabulary.FIXED_VOCABULARIES:
        terms.ensure_vocabulary(fixed)
    _ensure_areas(terms, data.councils)

    councils = {council.id: council for council in data.councils}
    existing = set(session.scalars(select(Service.id)))
    added = 0
    for record in data.services:
        if record.id in existing:
            continue
        _add_service(session, terms, councils, record)
        added += 1

    session.flush()
    logger.info("Seed added %d services (%d were already there)", added, len(existing))
    return added


def _ensure_areas(terms: _TermIndex, councils: list[CouncilRecord]) -> None:
    """Create the areas taxonomy: `llr`, `national` and each council under `llr`."""
    areas = vocabulary.Vocabulary(
        vocabulary.AREAS_TAXONOMY,
        "Areas a service covers.",
        vocabulary.AREA_ROOT_TERMS,
    )
    taxonomy = terms.ensure_vocabulary(areas)
    for council in councils:
        term = vocabulary.Term(
            council.id,
            council.name,
            f"{council.name} ({council.kind} council), ONS code {council.ons_code}.",
        )
        terms.ensure_term(
            taxonomy,
            term,
            parent_code=vocabulary.LLR,
            term_uri=ONS_GEOGRAPHY_URI.format(code=council.ons_code),
        )


def _add_service(
    session: Session,
    terms: _TermIndex,
    councils: dict[str, CouncilRecord],
    record: ServiceRecord,
) -> None:
    """Add one service with its phones, hours, areas, terms and provenance."""
    now = datetime.now(UTC)
    service = Service(
        id=record.id,
        organization=_organization(session, record.organization),
        name=record.name,
        description=record.description,
        url=record.contacts.url,
        email=record.contacts.email,
        status="active",
        maximum_age=record.max_age,
        assured_date=None,
        last_modified=now,
        published=True,
    )
    service.phones = _phones(record.contacts)
    if record.hours:
        service.schedules = [Schedule(description=record.hours)]
    service.service_areas = [_service_area(code, councils) for code in record.areas]
    session.add(service)
    session.flush()

    for taxonomy_name, codes in _term_codes(record).items():
        for code in codes:
            _link(session, service.id, taxonomy_name, terms.get(taxonomy_name, code))

    session.add(
        Metadata(
            resource_id=service.id,
            resource_type=SERVICE_ENTITY,
            last_action_date=now,
            last_action_type="create",
            field_name="source",
            previous_value="",
            replacement_value=record.source,
            updated_by=UPDATED_BY,
        )
    )


def _organization(session: Session, name: str) -> Organization:
    """Return the organisation with this name, creating it when it is missing."""
    organization = session.scalar(select(Organization).where(Organization.name == name))
    if organization is None:
        organization = Organization(name=name, description="")
        session.add(organization)
        session.flush()
    return organization


def _phones(contacts: ContactsRecord) -> list[Phone]:
    """Store voice, SMS and text relay numbers as HSDS phone rows."""
    phones = []
    if contacts.phone:
        phones.append(
            Phone(number=contacts.phone, type="voice", description=contacts.phone_note)
        )
    if contacts.text:
        phones.append(Phone(number=contacts.text, type="text", description="Text"))
    if contacts.text_relay:
        phones.append(
            Phone(
                number=contacts.text_relay, type="textphone", description="Text relay"
            )
        )
    return phones


def _service_area(code: str, councils: dict[str, CouncilRecord]) -> ServiceArea:
    if code in councils:
        council = councils[code]
        return ServiceArea(
            name=council.name,
            description=f"{council.name} area.",
            uri=ONS_GEOGRAPHY_URI.format(code=council.ons_code),
        )
    if code == vocabulary.LLR:
        return ServiceArea(
            name=vocabulary.AREA_ROOT_TERMS[0].name,
            description=(
                "All nine council areas of Leicester, Leicestershire and Rutland."
            ),
        )
    return ServiceArea(name="National", description="Available across the country.")


def _term_codes(record: ServiceRecord) -> dict[str, list[str]]:
    codes = {
        vocabulary.ROUTES_TAXONOMY: record.routes,
        vocabulary.CHARACTERISTICS_TAXONOMY: record.characteristics,
        vocabulary.FAITHS_TAXONOMY: record.faiths,
        vocabulary.INCIDENT_TYPES_TAXONOMY: record.incident_types,
        vocabulary.AREAS_TAXONOMY: record.areas,
        vocabulary.FLAGS_TAXONOMY: [],
    }
    if record.anonymous:
        codes[vocabulary.FLAGS_TAXONOMY] = [vocabulary.ANONYMOUS_REPORTING]
    return codes


def _link(
    session: Session, service_id: str, taxonomy_name: str, term: TaxonomyTerm
) -> None:
    session.add(
        Attribute(
            link_id=service_id,
            link_entity=SERVICE_ENTITY,
            link_type=vocabulary.LINK_TYPES[taxonomy_name],
            taxonomy_term_id=term.id,
        )
    )


def alembic_config(database_url: str | None = None) -> Config:
    """Return the project's Alembic config, optionally for another database URL."""
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.attributes["configure_logging"] = False
    if database_url is not None:
        # configparser treats % as interpolation, which URL-encoded passwords use.
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(database_url: str) -> None:
    """Upgrade the database to the latest Alembic revision."""
    command.upgrade(alembic_config(database_url), "head")


def seed_if_empty(database_url: str, data_path: Path) -> int:
    """Upgrade the database and seed it if it has no services; return services added."""
    upgrade_database(database_url)

    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            count = session.scalar(select(func.count()).select_from(Service)) or 0
            if count:
                logger.info(
                    "The database already has %d services; nothing to seed", count
                )
                return 0
            added = seed_directory(session, read_directory_file(data_path))
            session.commit()
            return added
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Run the seed command; return the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=settings.data_dir / DATA_FILE_NAME,
        help="JSON file of starting directory records (default: %(default)s)",
    )
    parser.add_argument(
        "--database-url",
        default=settings.database_url,
        help="SQLAlchemy URL of the database (default: SOS_DATABASE_URL)",
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    try:
        seed_if_empty(arguments.database_url, arguments.data)
    except SeedError as exc:
        logger.error("%s", exc)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
