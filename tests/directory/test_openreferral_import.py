"""Tests of the Open Referral JSON import and export."""

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.orm import Session

from directory.db.models import (
    Address,
    Attribute,
    Location,
    Metadata,
    Organization,
    Phone,
    Service,
    TaxonomyTerm,
)
from directory.db.queries import delete_service
from directory.openreferral.__main__ import main
from directory.openreferral.exporter import export_file
from directory.openreferral.feeds import UK_V1
from directory.openreferral.importer import import_file
from directory.openreferral.report import FeedError
from tests.directory.conftest import FIXTURES_DIR

V3_FEED = FIXTURES_DIR / "openreferral_feed_v3.json"
V1_FEED = FIXTURES_DIR / "openreferral_feed_uk_v1.json"
HARBOUR_ID = "5c1e7a52-0d3b-4f4e-9a61-2f1b8e3c0a01"
SECOND_HARBOUR_ID = "f9e8d7c6-b5a4-4321-9876-543210fedc07"
# Ids of child rows, which an import makes anew.
NEW_IDS = {"id", "service_id", "contact_id", "link_id"}


def row_counts(engine: Engine) -> dict[str, int]:
    """Return the number of rows of every table."""
    with engine.connect() as connection:
        return {
            name: connection.execute(
                text(f'SELECT COUNT(*) FROM "{name}"')
            ).scalar_one()
            for name in inspect(engine).get_table_names()
        }


def write_json(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_v3_feed_imports_clean_records(session: Session) -> None:
    report = import_file(session, V3_FEED)

    assert report.records_read == 7
    assert len(report.created) == 3
    assert report.written is True
    assert HARBOUR_ID in report.created
    assert SECOND_HARBOUR_ID in report.created


def test_v3_feed_rejects_with_record_and_reason(session: Session) -> None:
    report = import_file(session, V3_FEED)

    reasons = {note.record_number: note.message for note in report.rejected}
    assert set(reasons) == {3, 4, 6, 7}
    assert "no name" in reasons[3]
    assert "status 'closed for now'" in reasons[4]
    assert "not an object" in reasons[6]
    assert "no-such-organisation" in reasons[7]


def test_v3_feed_warns_about_dropped_values(session: Session) -> None:
    report = import_file(session, V3_FEED)

    messages = [str(note) for note in report.warnings]
    assert any("record 2" in m and "nottingham" in m for m in messages)
    assert any("record 5" in m and "call us any time" in m for m in messages)
    assert any("record 5" in m and "minimum_age 65" in m for m in messages)
    assert report.ignored_fields == {"x_vendor_rating": 1, "x_internal_notes": 1}


def test_imported_values_are_cleaned(session: Session) -> None:
    import_file(session, V3_FEED)
    service = session.get(Service, HARBOUR_ID)

    assert service is not None
    assert service.description is not None
    assert "<" not in service.description
    assert "&amp;" not in service.description
    assert "- Phone support & call-backs" in service.description
    assert service.status == "active"
    assert service.minimum_age == 16
    assert str(service.assured_date) == "2026-03-01"
    assert service.organization.website == "https://harbour-lane.example.org"
    numbers = {(phone.number, phone.type) for phone in service.phones}
    assert numbers == {("0116 496 0123", "voice"), ("07700 900456", "text")}


def test_imported_contact_phone_keeps_extension(session: Session) -> None:
    import_file(session, V3_FEED)
    service = session.get(Service, HARBOUR_ID)
    assert service is not None

    contact = service.contacts[0]
    phone = session.scalars(select(Phone).where(Phone.contact_id == contact.id)).one()

    assert phone.number == "0116 496 0124"
    assert phone.extension == 2


def test_imported_location_and_address(session: Session) -> None:
    import_file(session, V3_FEED)
    location = session.get(Location, "0d6c9b1e-3a2f-4e5d-8c7b-6a5f4e3d2c11")

    assert location is not None
    assert location.latitude == pytest.approx(52.634)
    address = location.addresses[0]
    assert address.postal_code == "LE1 9ZZ"
    assert address.country == "GB"
    assert address.address_type == "physical"


def test_missing_id_gets_stable_id(session: Session, tmp_path: Path) -> None:
    first = import_file(session, V3_FEED)
    second = import_file(session, V3_FEED)

    riverside = session.scalars(
        select(Service).where(Service.name == "Riverside Drop-in Advice")
    ).one()
    assert riverside.id in first.created
    assert riverside.id in second.updated
    assert riverside.url == "https://www.riverside-advice.example.org"
    assert riverside.email == "advice@riverside-advice.example.org"


def test_imported_services_unpublished_by_default(session: Session) -> None:
    import_file(session, V3_FEED)

    service = session.get(Service, HARBOUR_ID)

    assert service is not None
    assert service.published is False


def test_publish_flag_publishes(session: Session) -> None:
    import_file(session, V3_FEED, publish=True)

    service = session.get(Service, HARBOUR_ID)

    assert service is not None
    assert service.published is True


def test_reimport_updates_without_duplicates(session: Session, engine: Engine) -> None:
    import_file(session, V3_FEED, publish=True)
    counts = row_counts(engine)

    report = import_file(session, V3_FEED)

    assert report.created == []
    assert len(report.updated) == 3
    after = row_counts(engine)
    assert after["metadata"] == counts["metadata"] + 3
    assert {name: n for name, n in after.items() if name != "metadata"} == {
        name: n for name, n in counts.items() if name != "metadata"
    }
    service = session.get(Service, HARBOUR_ID)
    assert service is not None
    assert service.published is True


def test_import_links_project_and_other_terms(session: Session) -> None:
    import_file(session, V3_FEED)

    rows = session.execute(
        select(TaxonomyTerm.taxonomy, TaxonomyTerm.code)
        .join(Attribute, Attribute.taxonomy_term_id == TaxonomyTerm.id)
        .where(Attribute.link_id == HARBOUR_ID)
    ).all()

    assert set(rows) == {
        ("sos-routes", "emotional_support"),
        ("sos-characteristics", "any"),
        ("sos-incident-types", "any"),
        ("sos-areas", "leicester"),
        ("esdServiceTypes", "1013"),
    }


def test_import_writes_audit_metadata(session: Session) -> None:
    import_file(session, V3_FEED)

    record = session.scalars(
        select(Metadata).where(Metadata.resource_id == HARBOUR_ID)
    ).one()

    assert record.last_action_type == "create"
    assert record.replacement_value == "openreferral_feed_v3.json, record 1"


def test_uk_v1_feed_imports(session: Session) -> None:
    report = import_file(session, V1_FEED)

    assert report.shape == UK_V1
    assert sorted(report.created) == ["v1-meadow-befriending", "v1-oak-helpline"]
    service = session.get(Service, "v1-meadow-befriending")
    assert service is not None
    assert service.minimum_age == 60
    assert service.fees_description == "Free"
    assert str(service.assured_date) == "2026-01-15"
    assert (
        service.organization.description == "A neighbourhood charity in Loughborough."
    )
    assert service.schedules[0].byday == "TU"
    assert service.service_areas[0].name == "Charnwood"
    address = service.service_at_locations[0].location.addresses[0]
    assert (address.postal_code, address.country) == ("LE11 9ZZ", "GB")
    assert "accreditations" in report.ignored_fields


def test_uk_v1_taxonomy_and_contact_phones(session: Session) -> None:
    import_file(session, V1_FEED)

    term = session.scalars(
        select(TaxonomyTerm).where(TaxonomyTerm.taxonomy == "bccsoc")
    ).one()
    oak = session.get(Service, "v1-oak-helpline")
    assert oak is not None
    phone = session.scalars(
        select(Phone).where(Phone.contact_id == oak.contacts[0].id)
    ).one()

    assert (term.code, term.name) == ("bccsoc-1", "Befriending")
    assert phone.number == "0808 157 0999"
    assert oak.status == "inactive"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"contents": [{"name": "Broken', "not valid JSON"),
        ('{"unexpected": true}', "neither a list of services"),
        ("[]", "no service records"),
        ('[{"description": "no name"}, 42]', "none of the 2 records"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_unusable_json_writes_nothing(
    session: Session, engine: Engine, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "feed.json"
    path.write_text(content, encoding="utf-8")
    before = row_counts(engine)

    with pytest.raises(FeedError, match=message):
        import_file(session, path)

    assert row_counts(engine) == before


def test_wrong_extension_writes_nothing(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text("<services/>", encoding="utf-8")

    with pytest.raises(FeedError, match=r"\.json or \.csv"):
        import_file(session, path)


def test_strict_mode_writes_nothing(session: Session, engine: Engine) -> None:
    before = row_counts(engine)

    with pytest.raises(FeedError, match="strict"):
        import_file(session, V3_FEED, strict=True)

    assert row_counts(engine) == before


def test_dry_run_writes_nothing(session: Session, engine: Engine) -> None:
    before = row_counts(engine)

    report = import_file(session, V3_FEED, dry_run=True)

    assert len(report.created) == 3
    assert report.written is False
    assert row_counts(engine) == before


def test_database_failure_rolls_back_everything(
    session: Session, engine: Engine
) -> None:
    # Without the metadata table the audit row of the first service fails
    # after its service rows were sent, so a partial write would show.
    with engine.begin() as connection:
        connection.execute(text('DROP TABLE "metadata"'))
    before = row_counts(engine)

    with pytest.raises(FeedError, match="database rejected the import"):
        import_file(session, V3_FEED)

    assert row_counts(engine) == before


def test_too_long_value_rejects_record(session: Session, tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "feed.json",
        [
            {"name": "x" * 300, "organization": {"name": "Long Name Trust"}},
            {"name": "Short Name Service", "organization": {"name": "Long Name Trust"}},
        ],
    )

    report = import_file(session, path)

    assert [note.record_number for note in report.rejected] == [1]
    assert "at most 255" in report.rejected[0].message
    assert len(report.created) == 1


def test_duplicate_id_in_file_is_rejected(session: Session, tmp_path: Path) -> None:
    record: dict[str, Any] = {
        "id": "duplicated-service",
        "name": "Twice Listed Service",
        "organization": {"name": "Twice Listed Trust"},
    }
    path = write_json(tmp_path / "feed.json", [record, record])

    report = import_file(session, path)

    assert report.rejected[0].record_number == 2
    assert "also used by record 1" in report.rejected[0].message


def test_json_export_round_trip(session: Session, tmp_path: Path) -> None:
    import_file(session, V3_FEED, publish=True)
    first = tmp_path / "first.json"
    second = tmp_path / "second.json"
    export_file(session, first)
    for service in session.scalars(select(Service)).all():
        delete_service(session, service)
    session.commit()

    import_file(session, first, publish=True)
    export_file(session, second)

    assert comparable(json.loads(first.read_text())) == comparable(
        json.loads(second.read_text())
    )


def comparable(page: dict[str, Any]) -> dict[str, Any]:
    """Drop the ids that an import makes anew for child rows, and change times."""
    services = []
    for service in page["contents"]:
        service = {
            key: value for key, value in service.items() if key != "last_modified"
        }
        for name in ("phones", "schedules", "service_areas", "attributes"):
            service[name] = [without_new_ids(row) for row in service[name]]
        service["contacts"] = [
            {
                **without_new_ids(contact),
                "phones": [without_new_ids(phone) for phone in contact["phones"]],
            }
            for contact in service["contacts"]
        ]
        service["service_at_locations"] = [
            {
                **without_new_ids(link),
                "location": {
                    **link["location"],
                    "addresses": [
                        without_new_ids(address)
                        for address in link["location"]["addresses"]
                    ],
                },
            }
            for link in service["service_at_locations"]
        ]
        services.append(service)
    return {**page, "contents": services}


def without_new_ids(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if key not in NEW_IDS}


def test_export_rejects_unknown_extension(session: Session, tmp_path: Path) -> None:
    with pytest.raises(FeedError, match=r"\.json or \.csv"):
        export_file(session, tmp_path / "services.txt")


def test_command_imports_and_summarises(
    database_url: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["--database-url", database_url, "import", str(V3_FEED)])

    output = capsys.readouterr().out
    assert status == 0
    assert "Read 7 records" in output
    assert "3 new" in output
    assert "record 3" in output
    with Session(engine) as session:
        assert session.get(Service, HARBOUR_ID) is not None


def test_command_reports_unusable_file(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")

    status = main(["--database-url", database_url, "import", str(path)])

    captured = capsys.readouterr()
    assert status == 1
    assert "nothing was written" in captured.err
    assert "not valid JSON" in captured.err


def test_command_exports(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "services.json"

    status = main(["--database-url", database_url, "export", str(path)])

    page = json.loads(path.read_text(encoding="utf-8"))
    assert status == 0
    assert page["total_items"] == len(page["contents"]) > 0
    assert "Exported" in capsys.readouterr().out


def test_organisation_matched_by_name(session: Session, tmp_path: Path) -> None:
    existing = session.scalars(
        select(Organization).where(Organization.name == "Stop Hate UK")
    ).one()
    path = write_json(
        tmp_path / "feed.json",
        [{"name": "Stop Hate Line Extra", "organization": {"name": "stop hate uk"}}],
    )

    import_file(session, path)

    service = session.scalars(
        select(Service).where(Service.name == "Stop Hate Line Extra")
    ).one()
    assert service.organization_id == existing.id
    assert session.scalar(select(func.count()).select_from(Address)) == 0


def test_command_reports_missing_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = f"sqlite:///{tmp_path / 'empty.db'}"

    status = main(["--database-url", empty, "export", str(tmp_path / "out.json")])

    assert status == 1
    assert "the database query failed" in capsys.readouterr().err
    assert not (tmp_path / "out.json").exists()


def test_organisation_given_as_text(session: Session, tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "feed.json",
        [{"name": "Plain Organisation Service", "organization": " Plain  Trust "}],
    )

    report = import_file(session, path)

    service = session.get(Service, report.created[0])
    assert service is not None
    assert service.organization.name == "Plain Trust"
