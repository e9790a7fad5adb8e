"""Drafts reach /api/signpost only when they are published."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from directory.staff import workflow
from directory.staff.models import EDITOR
from directory.staff.records import read_record
from tests.directory.staff.conftest import (
    RACE_ABUSE_IN_LEICESTER,
    edit_form,
    signposted,
)

OLD_NUMBER = "0800 138 1625"
NEW_NUMBER = "0116 496 0123"


def _save_phone(client: TestClient, token: str, number: str) -> None:
    fields = edit_form(client, "stop-hate-uk")
    voice = next(
        name
        for name, value in fields.items()
        if name.endswith("-type") and value == "voice" and name.startswith("phone-")
    )
    fields[voice.replace("-type", "-number")] = number
    fields["csrf_token"] = token
    response = client.post(
        "/staff/services/stop-hate-uk/edit", data=fields, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def _post(client: TestClient, path: str, token: str) -> int:
    response = client.post(path, data={"csrf_token": token}, follow_redirects=False)
    return response.status_code


def test_draft_not_signposted_before_publish(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    token = signed_in(EDITOR)
    _save_phone(client, token, NEW_NUMBER)

    entry = signposted(client, RACE_ABUSE_IN_LEICESTER)["stop-hate-uk"]

    assert entry["phone"] == OLD_NUMBER
    page = client.get("/staff/services/stop-hate-uk").text
    assert "Unpublished changes" in page
    assert NEW_NUMBER in page


def test_publish_reaches_signpost_at_once(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    token = signed_in(EDITOR)
    _save_phone(client, token, NEW_NUMBER)

    assert _post(client, "/staff/services/stop-hate-uk/publish", token) == 303

    entry = signposted(client, RACE_ABUSE_IN_LEICESTER)["stop-hate-uk"]
    assert entry["phone"] == NEW_NUMBER
    assert "Unpublished changes" not in client.get("/staff/services/stop-hate-uk").text


def test_discard_keeps_published_details(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    token = signed_in(EDITOR)
    _save_phone(client, token, NEW_NUMBER)

    assert _post(client, "/staff/services/stop-hate-uk/discard", token) == 303

    assert _post(client, "/staff/services/stop-hate-uk/publish", token) == 409
    entry = signposted(client, RACE_ABUSE_IN_LEICESTER)["stop-hate-uk"]
    assert entry["phone"] == OLD_NUMBER


def test_publish_keeps_unchanged_fields(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    before = signposted(client, RACE_ABUSE_IN_LEICESTER)["stop-hate-uk"]
    token = signed_in(EDITOR)
    _save_phone(client, token, OLD_NUMBER)

    assert _post(client, "/staff/services/stop-hate-uk/publish", token) == 303

    after = signposted(client, RACE_ABUSE_IN_LEICESTER)["stop-hate-uk"]
    assert after == before


def test_new_service_hidden_until_published(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    token = signed_in(EDITOR)
    form = {
        "csrf_token": token,
        "name": "Leicester Example Listening Line",
        "organization": "Example Community Trust",
        "description": "Someone to talk to after hate crime.",
        "status": "active",
        "url": "https://listening.example.org.uk",
        "phone-0-number": "0116 496 0999",
        "phone-0-type": "voice",
        "hours-0-opens": "09:00",
        "hours-0-closes": "17:00",
        "hours-0-days": ["MO", "TU", "WE"],
        "terms-sos-routes": ["emotional_support"],
        "terms-sos-characteristics": ["any"],
        "terms-sos-incident-types": ["any"],
        "terms-sos-areas": ["leicester"],
    }
    response = client.post("/staff/services/new", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    service_path = response.headers["location"].split("?")[0]

    names = [e["name"] for e in signposted(client, RACE_ABUSE_IN_LEICESTER).values()]
    assert "Leicester Example Listening Line" not in names

    assert _post(client, f"{service_path}/publish", token) == 303

    routes = signposted(client, RACE_ABUSE_IN_LEICESTER).values()
    entry = next(e for e in routes if e["name"] == "Leicester Example Listening Line")
    assert entry["phone"] == "0116 496 0999"
    assert entry["url"] == "https://listening.example.org.uk"


def test_archive_and_restore_service(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    token = signed_in(EDITOR)

    assert _post(client, "/staff/services/stop-hate-uk/archive", token) == 303
    assert "stop-hate-uk" not in signposted(client, RACE_ABUSE_IN_LEICESTER)
    archived = client.get("/staff/services?show=archived").text
    assert "Stop Hate UK" in archived

    assert _post(client, "/staff/services/stop-hate-uk/restore", token) == 303
    assert "stop-hate-uk" in signposted(client, RACE_ABUSE_IN_LEICESTER)


def test_closed_service_not_signposted(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    token = signed_in(EDITOR)
    fields = edit_form(client, "stop-hate-uk")
    fields["status"] = "temporarily closed"
    fields["csrf_token"] = token
    client.post("/staff/services/stop-hate-uk/edit", data=fields)

    assert _post(client, "/staff/services/stop-hate-uk/publish", token) == 303

    assert "stop-hate-uk" not in signposted(client, RACE_ABUSE_IN_LEICESTER)


def test_draft_with_removed_term_rejected(
    client: TestClient,
    signed_in: Callable[[str], str],
    session_factory: sessionmaker[Session],
) -> None:
    token = signed_in(EDITOR)
    with session_factory() as db:
        service = workflow.load_service(db, "stop-hate-uk")
        assert service is not None
        record = read_record(db, service)
        record.terms["sos-areas"] = ["a-council-since-removed"]
        record.phones[0].number = NEW_NUMBER
        workflow.save_draft(db, "stop-hate-uk", record, "test setup")

    response = client.post(
        "/staff/services/stop-hate-uk/publish", data={"csrf_token": token}
    )

    assert response.status_code == 409
    assert "a-council-since-removed" in response.text
    entry = signposted(client, RACE_ABUSE_IN_LEICESTER)["stop-hate-uk"]
    assert NEW_NUMBER not in (entry["phone"], entry["text"])
