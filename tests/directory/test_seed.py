"""Tests of loading the starting directory records."""

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from directory import vocabulary
from directory.db.base import Base
from directory.db.models import (
    Attribute,
    Metadata,
    Phone,
    Service,
    ServiceArea,
    Taxonomy,
    TaxonomyTerm,
)
from directory.db.queries import load_service_terms
from directory.seed import (
    DATA_FILE_NAME,
    SeedError,
    main,
    read_directory_file,
    seed_directory,
)
from directory.settings import REPO_ROOT

DATA_FILE = REPO_ROOT / "data" / DATA_FILE_NAME


def row_counts(session: Session) -> dict[str, int]:
    """Count the rows of every table."""
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


def test_seed_twice_changes_nothing(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        before = row_counts(session)
        added = seed_directory(session, read_directory_file(DATA_FILE))
        session.commit()
        after = row_counts(session)

    assert added == 0
    assert after == before


def test_seed_loads_every_service(session: Session) -> None:
    records = json.loads(DATA_FILE.read_text(encoding="utf-8"))["services"]
    ids = set(session.scalars(select(Service.id)))

    assert ids == {record["id"] for record in records}


def test_seed_publishes_unchecked_services(session: Session) -> None:
    services = session.scalars(select(Service)).all()

    assert all(service.published for service in services)
    assert all(service.status == "active" for service in services)
    assert all(service.assured_date is None for service in services)


@pytest.mark.parametrize(
    ("taxonomy_name", "codes"),
    [
        (vocabulary.ROUTES_TAXONOMY, {"emergency", "crisis", "discrimination_advice"}),
        (vocabulary.CHARACTERISTICS_TAXONOMY, {"any", "race", "sex_or_gender"}),
        (vocabulary.FAITHS_TAXONOMY, {"muslim", "jewish", "other_faith"}),
        (vocabulary.INCIDENT_TYPES_TAXONOMY, {"any", "online_abuse", "discrimination"}),
        (vocabulary.AREAS_TAXONOMY, {"llr", "national", "leicester", "rutland"}),
        (vocabulary.FLAGS_TAXONOMY, {vocabulary.ANONYMOUS_REPORTING}),
    ],
)
def test_taxonomy_terms_exist(
    session: Session, taxonomy_name: str, codes: set[str]
) -> None:
    stored = set(
        session.scalars(
            select(TaxonomyTerm.code)
            .join(Taxonomy, TaxonomyTerm.taxonomy_id == Taxonomy.id)
            .where(Taxonomy.name == taxonomy_name)
        )
    )

    assert codes <= stored


@pytest.mark.parametrize(
    "taxonomy_name",
    [
        vocabulary.ROUTES_TAXONOMY,
        vocabulary.CHARACTERISTICS_TAXONOMY,
        vocabulary.INCIDENT_TYPES_TAXONOMY,
        vocabulary.AREAS_TAXONOMY,
    ],
)
def test_every_service_has_terms(session: Session, taxonomy_name: str) -> None:
    ids = list(session.scalars(select(Service.id)))
    terms = load_service_terms(session, ids)

    for service_id in ids:
        assert terms[service_id].get(taxonomy_name), f"{service_id} lacks terms"


@pytest.mark.parametrize(
    ("service_id", "taxonomy_name", "codes"),
    [
        ("tell-mama", vocabulary.FAITHS_TAXONOMY, {"muslim"}),
        ("cst", vocabulary.FAITHS_TAXONOMY, {"jewish"}),
        ("galop", vocabulary.CHARACTERISTICS_TAXONOMY, {"sexual_orientation"}),
        ("tell-mama", vocabulary.FLAGS_TAXONOMY, {vocabulary.ANONYMOUS_REPORTING}),
        ("himp-leicestershire", vocabulary.AREAS_TAXONOMY, {"charnwood", "melton"}),
        ("eass", vocabulary.INCIDENT_TYPES_TAXONOMY, {"discrimination"}),
    ],
)
def test_service_attributes_match_data(
    session: Session, service_id: str, taxonomy_name: str, codes: set[str]
) -> None:
    terms = load_service_terms(session, [service_id])[service_id]

    assert codes <= terms[taxonomy_name]


def test_non_anonymous_service_has_no_flag(session: Session) -> None:
    terms = load_service_terms(session, ["police-101"])["police-101"]

    assert vocabulary.FLAGS_TAXONOMY not in terms


def test_attributes_use_hsds_link_fields(session: Session) -> None:
    attributes = session.scalars(select(Attribute)).all()

    assert attributes
    assert {attribute.link_entity for attribute in attributes} == {"service"}
    assert all(attribute.link_type for attribute in attributes)


def test_council_terms_sit_under_llr(session: Session) -> None:
    llr = session.scalars(
        select(TaxonomyTerm).where(TaxonomyTerm.code == vocabulary.LLR)
    ).one()
    charnwood = session.scalars(
        select(TaxonomyTerm).where(TaxonomyTerm.code == "charnwood")
    ).one()

    assert charnwood.parent_id == llr.id
    assert charnwood.term_uri is not None
    assert charnwood.term_uri.endswith("E07000130")


@pytest.mark.parametrize(
    ("service_id", "phone_type", "number", "description"),
    [
        ("police-999", "voice", "999", None),
        ("police-999", "textphone", "18000", "Text relay"),
        ("stop-hate-uk", "text", "07717 989 025", "Text"),
        ("cst", "voice", "0800 980 0668", "24-hour emergency line"),
    ],
)
def test_contacts_stored_as_phones(
    session: Session,
    service_id: str,
    phone_type: str,
    number: str,
    description: str | None,
) -> None:
    phone = session.scalars(
        select(Phone).where(Phone.service_id == service_id, Phone.type == phone_type)
    ).one()

    assert phone.number == number
    if description is None:
        assert phone.description is None
    else:
        assert phone.description is not None
        assert phone.description.startswith(description)


def test_email_and_url_on_service(session: Session) -> None:
    service = session.get_one(Service, "stop-hate-uk")

    assert service.email == "talk@stophateuk.org"
    assert service.url == "https://www.stophateuk.org"


def test_childline_has_maximum_age(session: Session) -> None:
    assert session.get_one(Service, "childline").maximum_age == 18


def test_council_service_area_has_ons_uri(session: Session) -> None:
    area = session.scalars(
        select(ServiceArea).where(ServiceArea.service_id == "rutland-community-safety")
    ).one()

    assert area.name == "Rutland County Council"
    assert area.uri is not None
    assert area.uri.endswith("E06000017")


def test_source_kept_as_metadata(session: Session) -> None:
    record = session.scalars(
        select(Metadata).where(Metadata.resource_id == "samaritans")
    ).one()

    assert record.resource_type == "service"
    assert record.last_action_type == "create"
    assert record.field_name == "source"
    assert "samaritans.org" in record.replacement_value


def test_seed_command_migrates_and_seeds(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    first = main(["--database-url", url, "--data", str(DATA_FILE)])
    second = main(["--database-url", url, "--data", str(DATA_FILE)])

    assert first == 0
    assert second == 0


def test_seed_command_rejects_missing_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    assert main(["--database-url", url, "--data", str(tmp_path / "nope.json")]) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda data: data["services"][0].update(routes=["teleport"]), "teleport"),
        (lambda data: data["services"][0].pop("name"), "name"),
    ],
    ids=["unknown-route", "missing-name"],
)
def test_invalid_data_raises_seed_error(
    tmp_path: Path, session: Session, change: object, message: str
) -> None:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    data["services"][0]["id"] = "invented-service"
    change(data)  # type: ignore[operator]
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(SeedError, match=message):
        seed_directory(session, read_directory_file(path))


def test_council_ids_match_data_file() -> None:
    councils = json.loads(DATA_FILE.read_text(encoding="utf-8"))["councils"]

    assert {council["id"] for council in councils} == set(vocabulary.COUNCIL_IDS)
