"""The audit trail of field changes, and the checks of service details."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory.db.models import Metadata, Service
from directory.settings import settings
from directory.staff import workflow
from directory.staff.models import EDITOR
from tests.directory.staff.conftest import EDITOR_EMAIL, edit_form

NEW_URL = "https://www.stophateuk.org/report-example"


def _change_url_and_publish(client: TestClient, token: str) -> None:
    fields = edit_form(client, "stop-hate-uk")
    fields["url"] = NEW_URL
    fields["csrf_token"] = token
    saved = client.post(
        "/staff/services/stop-hate-uk/edit", data=fields, follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    published = client.post(
        "/staff/services/stop-hate-uk/publish", data={"csrf_token": token}
    )
    assert published.status_code == 200


def _service_audit(session_factory: sessionmaker[Session]) -> list[Metadata]:
    with session_factory() as db:
        return list(
            db.scalars(
                select(Metadata)
                .where(Metadata.resource_id == "stop-hate-uk")
                .where(Metadata.updated_by != "directory.seed")
            )
        )


def test_publish_records_changed_field(
    client: TestClient,
    signed_in: Callable[[str], str],
    session_factory: sessionmaker[Session],
) -> None:
    token = signed_in(EDITOR)

    _change_url_and_publish(client, token)

    rows = _service_audit(session_factory)
    assert [row.field_name for row in rows] == ["url"]
    assert rows[0].previous_value == "https://www.stophateuk.org"
    assert rows[0].replacement_value == NEW_URL
    assert rows[0].updated_by == EDITOR_EMAIL
    assert rows[0].last_action_type == workflow.UPDATE
    assert rows[0].resource_type == "service"


def test_saving_draft_records_nothing(
    client: TestClient,
    signed_in: Callable[[str], str],
    session_factory: sessionmaker[Session],
) -> None:
    token = signed_in(EDITOR)
    fields = edit_form(client, "stop-hate-uk")
    fields["url"] = NEW_URL
    fields["csrf_token"] = token
    client.post("/staff/services/stop-hate-uk/edit", data=fields)

    assert _service_audit(session_factory) == []


def test_service_page_shows_history(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    token = signed_in(EDITOR)
    _change_url_and_publish(client, token)

    page = client.get("/staff/services/stop-hate-uk").text

    history = page[page.index('id="history-heading"') :]
    assert NEW_URL in history
    assert EDITOR_EMAIL in history


def test_audit_search_filters(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    token = signed_in(EDITOR)
    _change_url_and_publish(client, token)

    by_text = client.get("/staff/audit", params={"q": "report-example"}).text
    by_other_person = client.get(
        "/staff/audit", params={"by": "someone.else@example.org.uk"}
    ).text
    by_service_name = client.get("/staff/audit", params={"q": "Stop Hate"}).text

    assert NEW_URL in by_text
    assert NEW_URL not in by_other_person
    assert "No changes found" in by_other_person
    assert NEW_URL in by_service_name


def test_audit_search_treats_wildcards_literally(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    token = signed_in(EDITOR)
    _change_url_and_publish(client, token)

    page = client.get("/staff/audit", params={"q": "%"}).text

    assert NEW_URL not in page


def test_seeded_services_all_due_for_check(
    client: TestClient,
    signed_in: Callable[[str], str],
    session_factory: sessionmaker[Session],
) -> None:
    signed_in(EDITOR)
    with session_factory() as db:
        names = list(db.scalars(select(Service.name).where(Service.published)))

    page = client.get("/staff/checks").text

    assert len(names) > 0
    for name in names:
        assert name in page
    assert page.count("Never checked") == len(names)


def test_confirm_records_check(
    client: TestClient,
    signed_in: Callable[[str], str],
    session_factory: sessionmaker[Session],
) -> None:
    token = signed_in(EDITOR)

    response = client.post(
        "/staff/services/stop-hate-uk/confirm", data={"csrf_token": token}
    )

    assert response.status_code == 200
    with session_factory() as db:
        service = db.get(Service, "stop-hate-uk")
        assert service is not None
        assert service.assured_date == datetime.now(UTC).date()
        assert service.assurer_email == EDITOR_EMAIL
    fields = {row.field_name for row in _service_audit(session_factory)}
    assert fields == {"assured_date", "assurer_email"}
    assert "Stop Hate UK" not in client.get("/staff/checks").text


def test_old_check_due_again(session_factory: sessionmaker[Session]) -> None:
    today = date(2026, 12, 4)
    interval = timedelta(days=settings.staff_check_interval_days)
    with session_factory() as db:
        recent = db.get(Service, "stop-hate-uk")
        old = db.get(Service, "galop")
        assert recent is not None
        assert old is not None
        recent.assured_date = today - interval
        old.assured_date = today - interval - timedelta(days=1)
        db.commit()

        due = [service.id for service in workflow.services_due_for_check(db, today)]

    assert "stop-hate-uk" not in due
    assert "galop" in due
    never_checked = [sid for sid in due if sid != "galop"]
    assert due[-1] == "galop"
    assert len(never_checked) == len(due) - 1


def test_archive_recorded_in_audit(
    client: TestClient,
    signed_in: Callable[[str], str],
    session_factory: sessionmaker[Session],
) -> None:
    token = signed_in(EDITOR)

    client.post("/staff/services/stop-hate-uk/archive", data={"csrf_token": token})

    rows = _service_audit(session_factory)
    assert [(r.field_name, r.previous_value, r.replacement_value) for r in rows] == [
        ("published", "True", "False")
    ]
    assert rows[0].last_action_type == workflow.ARCHIVE
