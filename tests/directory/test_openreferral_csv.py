"""Tests of the staff CSV import and export."""

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session

from directory import vocabulary
from directory.db.models import Phone, Service
from directory.db.queries import delete_service, load_service_terms
from directory.openreferral.csv_format import COLUMNS
from directory.openreferral.exporter import export_file
from directory.openreferral.importer import import_file
from directory.openreferral.report import FeedError
from tests.directory.conftest import FIXTURES_DIR

STAFF_CSV = FIXTURES_DIR / "staff_services.csv"
V3_FEED = FIXTURES_DIR / "openreferral_feed_v3.json"


def row_counts(engine: Engine) -> dict[str, int]:
    """Return the number of rows of every table."""
    with engine.connect() as connection:
        return {
            name: connection.execute(
                text(f'SELECT COUNT(*) FROM "{name}"')
            ).scalar_one()
            for name in inspect(engine).get_table_names()
        }


def read_rows(path: Path) -> list[dict[str, str]]:
    """Return the rows of an exported CSV file."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def service_named(session: Session, name: str) -> Service:
    return session.scalars(select(Service).where(Service.name == name)).one()


def test_export_has_one_row_per_service(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "services.csv"

    report = export_file(session, path)

    rows = read_rows(path)
    assert report.services == len(rows)
    assert len(rows) == len(session.scalars(select(Service.id)).all())
    assert list(rows[0]) == list(COLUMNS)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_export_row_of_seeded_service(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "services.csv"
    export_file(session, path)

    row = next(row for row in read_rows(path) if row["id"] == "tell-mama")

    assert row["faiths"] == "muslim"
    assert row["areas"] == "national"
    assert row["phones"].startswith("voice: ")
    assert row["organization"] == "Tell MAMA (Measuring Anti-Muslim Attacks)"


def test_csv_round_trip(session: Session, tmp_path: Path) -> None:
    import_file(session, V3_FEED, publish=True)
    first = tmp_path / "first.csv"
    second = tmp_path / "second.csv"
    export_file(session, first)
    for service in session.scalars(select(Service)).all():
        delete_service(session, service)
    session.commit()

    report = import_file(session, first, publish=True)
    export_file(session, second)

    assert report.rejected == []
    assert len(report.created) == len(read_rows(first))
    assert second.read_text(encoding="utf-8-sig") == first.read_text(
        encoding="utf-8-sig"
    )


def test_csv_round_trip_keeps_signposting_terms(
    session: Session, tmp_path: Path
) -> None:
    ids = list(session.scalars(select(Service.id)))
    before = load_service_terms(session, ids)
    path = tmp_path / "services.csv"
    export_file(session, path)
    for service in session.scalars(select(Service)).all():
        delete_service(session, service)
    session.commit()

    import_file(session, path, publish=True)

    assert load_service_terms(session, ids) == before


def test_staff_csv_import(session: Session) -> None:
    report = import_file(session, STAFF_CSV)

    assert report.records_read == 5
    assert len(report.created) == 2
    assert report.updated == ["tell-mama"]
    assert {note.record_number for note in report.rejected} == {3, 4}
    assert any("notes for staff" in note for note in report.notes)


def test_staff_csv_values_are_cleaned(session: Session) -> None:
    import_file(session, STAFF_CSV)
    service = service_named(session, "Brookside Hate Incident Support")

    assert service.description == (
        "Weekly drop-in for anyone targeted because of who they are.\n\nTea & a chat."
    )
    assert service.url == "https://brookside.example.org"
    assert service.email == "help@brookside.example.org"
    assert service.published is False
    phones = {(phone.type, phone.number, phone.description) for phone in service.phones}
    assert phones == {
        ("voice", "0116 496 0300", None),
        ("text", "07700 900789", "evenings only"),
    }
    address = service.service_at_locations[0].location.addresses[0]
    assert (address.address_1, address.postal_code) == ("1 Brook Road", "LE8 9ZZ")


def test_staff_csv_links_terms_and_areas(session: Session) -> None:
    import_file(session, STAFF_CSV)
    service = service_named(session, "Brookside Hate Incident Support")

    terms = load_service_terms(session, [service.id])[service.id]

    assert terms[vocabulary.AREAS_TAXONOMY] == {"blaby", "oadby_and_wigston"}
    assert terms[vocabulary.FAITHS_TAXONOMY] == {"muslim", "sikh"}
    assert terms[vocabulary.FLAGS_TAXONOMY] == {vocabulary.ANONYMOUS_REPORTING}
    assert sorted(area.name or "" for area in service.service_areas) == [
        "Blaby District Council",
        "Oadby and Wigston Borough Council",
    ]


def test_staff_csv_update_replaces_given_terms(session: Session) -> None:
    service = session.get(Service, "tell-mama")
    assert service is not None
    assert service.published is True

    import_file(session, STAFF_CSV)
    session.refresh(service)

    terms = load_service_terms(session, ["tell-mama"])["tell-mama"]
    assert vocabulary.FAITHS_TAXONOMY not in terms
    assert terms[vocabulary.ROUTES_TAXONOMY] == {"third_party_report", "victim_support"}
    assert service.published is True
    assert [phone.number for phone in service.phones] == ["0800 456 1226"]


def test_staff_csv_warnings(session: Session) -> None:
    report = import_file(session, STAFF_CSV)

    messages = [note.message for note in report.warnings if note.record_number == 5]
    assert any("not-an-email" in message for message in messages)
    assert any("eighteen" in message for message in messages)
    assert any("ring us" in message for message in messages)
    assert any("narnia" in message for message in messages)


def test_windows_1252_csv_is_read(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "services.csv"
    path.write_bytes(
        "name,organization,description\r\n"
        "Café Listening Hour,Café Néon Trust,Costs £0\r\n".encode("cp1252")
    )

    report = import_file(session, path)

    service = service_named(session, "Café Listening Hour")
    assert service.organization.name == "Café Néon Trust"
    assert service.description == "Costs £0"
    assert any("Windows-1252" in note for note in report.notes)


def test_formula_cells_are_protected(session: Session, tmp_path: Path) -> None:
    service = session.get(Service, "samaritans")
    assert service is not None
    service.name = '=HYPERLINK("https://attacker.example")'
    session.commit()
    first = tmp_path / "first.csv"
    second = tmp_path / "second.csv"

    export_file(session, first)
    import_file(session, first)
    export_file(session, second)

    row = next(row for row in read_rows(first) if row["id"] == "samaritans")
    assert row["name"].startswith("'=")
    session.refresh(service)
    assert service.name == '=HYPERLINK("https://attacker.example")'
    assert first.read_bytes() == second.read_bytes()


def test_csv_without_name_column_writes_nothing(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "services.csv"
    path.write_text("title,organization\nListening,Someone Trust\n", encoding="utf-8")
    before = row_counts(engine)

    with pytest.raises(FeedError, match="no name column"):
        import_file(session, path)

    assert row_counts(engine) == before


def test_csv_row_with_extra_cells_is_rejected(session: Session, tmp_path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(
        [
            ["name", "organization"],
            ["Good Row Service", "Good Row Trust"],
            ["Bad Row Service", "Bad Row Trust", "stray cell"],
        ]
    )
    path = tmp_path / "services.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")

    report = import_file(session, path)

    assert [note.record_number for note in report.rejected] == [2]
    assert "more cells" in report.rejected[0].message


def test_csv_only_header_writes_nothing(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "services.csv"
    path.write_text(",".join(COLUMNS) + "\n", encoding="utf-8")
    before = row_counts(engine)

    with pytest.raises(FeedError, match="no service records"):
        import_file(session, path)

    assert row_counts(engine) == before


def test_csv_import_leaves_missing_columns_alone(
    session: Session, tmp_path: Path
) -> None:
    before = session.get(Service, "galop")
    assert before is not None
    phones_before = sorted(phone.number for phone in before.phones)
    description = before.description
    path = tmp_path / "services.csv"
    path.write_text(
        "id,name,organization\ngalop,Galop helpline,Galop\n", encoding="utf-8"
    )

    import_file(session, path)
    session.expire_all()

    service = session.get(Service, "galop")
    assert service is not None
    assert service.name == "Galop helpline"
    assert service.description == description
    numbers = session.scalars(
        select(Phone.number).where(Phone.service_id == "galop")
    ).all()
    assert sorted(numbers) == phones_before
