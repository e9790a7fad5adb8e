"""Reviewer pages: roles, the conversation list and its filters, transcripts."""

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory.logs.models import TranscriptAccess
from directory.review.routes import conversations as conversation_routes
from directory.staff.models import ADMIN, EDITOR, REVIEWER, StaffAccount

LIST = "/staff/reviews/conversations"
REFERENCE = re.compile(r">([A-Z0-9]{8})</a>")


def listed(client: TestClient, query: str = "") -> list[str]:
    """Return the references on the conversation list for a query string."""
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200, response.text
    return REFERENCE.findall(response.text)


def account_id(session_factory: sessionmaker[Session], email: str) -> str:
    """Return the id of the account with an email address."""
    with session_factory() as db:
        found = db.scalar(select(StaffAccount.id).where(StaffAccount.email == email))
    assert found is not None
    return found


def access_records(session_factory: sessionmaker[Session]) -> list[TranscriptAccess]:
    """Return every transcript access record, oldest first."""
    with session_factory() as db:
        return list(db.scalars(select(TranscriptAccess).order_by(TranscriptAccess.id)))


def test_list_shows_every_conversation(
    client: TestClient, signed_in: Callable[[str], str], known_logs: dict[str, str]
) -> None:
    signed_in(REVIEWER)

    assert listed(client) == [
        "NONE6666",
        "TKTK5555",
        "DISP4444",
        "SRCH3333",
        "META2222",
        "OTHR7777",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("characteristic=religion", ["DISP4444", "SRCH3333"]),
        ("characteristic=not_said", ["TKTK5555"]),
        ("area=leicester", ["DISP4444", "META2222", "OTHR7777"]),
        ("area=not_said", ["TKTK5555"]),
        ("reading=non_crime_incident", ["SRCH3333"]),
        ("channel=meta", ["META2222"]),
        ("channel=google_search", ["SRCH3333"]),
        ("channel=google_display", ["DISP4444"]),
        ("channel=tiktok", ["TKTK5555"]),
        ("channel=none", ["NONE6666"]),
        ("channel=other", ["OTHR7777"]),
        ("needs_review=1", ["TKTK5555", "SRCH3333", "META2222"]),
        ("from=2026-11-03&to=2026-11-10", ["DISP4444", "SRCH3333"]),
        (
            "from=2026-11-01&area=leicester&characteristic=race",
            ["DISP4444", "META2222"],
        ),
    ],
)
def test_list_filters(
    client: TestClient,
    signed_in: Callable[[str], str],
    known_logs: dict[str, str],
    query: str,
    expected: list[str],
) -> None:
    signed_in(REVIEWER)

    assert listed(client, query) == expected


def test_list_rejects_invalid_filter(
    client: TestClient, signed_in: Callable[[str], str], known_logs: dict[str, str]
) -> None:
    signed_in(REVIEWER)

    response = client.get(f"{LIST}?from=4th+November&area=atlantis")

    assert response.status_code == 400
    assert "Enter the first date as a date such as 2026-12-04." in response.text
    assert "Choose an area from the list." in response.text


def test_list_pages(
    client: TestClient,
    signed_in: Callable[[str], str],
    known_logs: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(conversation_routes, "PAGE_SIZE", 4)
    signed_in(REVIEWER)

    first = client.get(f"{LIST}?area=&page=1")
    second = client.get(f"{LIST}?page=2")

    assert REFERENCE.findall(first.text) == [
        "NONE6666",
        "TKTK5555",
        "DISP4444",
        "SRCH3333",
    ]
    assert "page 1 of 2" in first.text
    assert 'href="/staff/reviews/conversations?page=2" rel="next"' in first.text
    assert REFERENCE.findall(second.text) == ["META2222", "OTHR7777"]
    assert 'rel="prev"' in second.text


def test_transcript_records_access(
    client: TestClient,
    signed_in: Callable[[str], str],
    accounts: dict[str, str],
    known_logs: dict[str, str],
    session_factory: sessionmaker[Session],
) -> None:
    signed_in(REVIEWER)
    conversation_id = known_logs["META2222"]

    first = client.get(f"{LIST}/{conversation_id}")
    second = client.get(f"{LIST}/{conversation_id}")

    assert first.status_code == 200
    assert second.status_code == 200
    assert "it was [PERSON_1] from the flats again" in first.text
    records = access_records(session_factory)
    reviewer_id = account_id(session_factory, accounts[REVIEWER])
    assert [record.conversation_id for record in records] == [conversation_id] * 2
    assert {record.staff_id for record in records} == {reviewer_id}
    assert records[0].accessed_at <= records[1].accessed_at


def test_missing_transcript_not_found(
    client: TestClient,
    signed_in: Callable[[str], str],
    session_factory: sessionmaker[Session],
) -> None:
    signed_in(REVIEWER)

    response = client.get(f"{LIST}/no-such-conversation")

    assert response.status_code == 404
    assert "There is no log of this conversation." in response.text
    assert access_records(session_factory) == []


def test_editor_cannot_read_logs(
    client: TestClient,
    signed_in: Callable[[str], str],
    known_logs: dict[str, str],
    session_factory: sessionmaker[Session],
) -> None:
    signed_in(EDITOR)

    for path in (
        LIST,
        f"{LIST}/{known_logs['META2222']}",
        "/staff/reviews/flags",
        "/staff/reviews/flags/nlu.yml",
        "/staff/reviews/dashboard",
        "/staff/reviews/figures",
        "/staff/reviews/figures.csv",
        "/staff/reviews/access",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "a man on the bus" not in response.text
    assert access_records(session_factory) == []


@pytest.mark.parametrize("role", [REVIEWER, ADMIN])
def test_reviewer_and_admin_read_logs(
    client: TestClient,
    signed_in: Callable[[str], str],
    known_logs: dict[str, str],
    role: str,
) -> None:
    signed_in(role)

    landing = client.get("/staff/reviews")
    transcript = client.get(f"{LIST}/{known_logs['META2222']}")

    assert landing.status_code == 200
    assert 'href="/staff/reviews/conversations"' in landing.text
    assert transcript.status_code == 200
    assert "a man on the bus shouted racist abuse at me" in transcript.text


def test_signed_out_sent_to_sign_in(
    client: TestClient, known_logs: dict[str, str]
) -> None:
    response = client.get(f"{LIST}/{known_logs['META2222']}", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/sign-in?next=")


def test_admin_lists_access_records(
    client: TestClient,
    signed_in: Callable[[str], str],
    accounts: dict[str, str],
    known_logs: dict[str, str],
    session_factory: sessionmaker[Session],
) -> None:
    signed_in(REVIEWER)
    client.get(f"{LIST}/{known_logs['META2222']}")
    client.get(f"{LIST}/{known_logs['SRCH3333']}")
    client.cookies.clear()
    signed_in(ADMIN)
    client.get(f"{LIST}/{known_logs['DISP4444']}")
    reviewer_id = account_id(session_factory, accounts[REVIEWER])

    everyone = client.get("/staff/reviews/access")
    by_reviewer = client.get(f"/staff/reviews/access?account={reviewer_id}")
    by_reference = client.get("/staff/reviews/access?conversation=srch-3333")

    assert everyone.status_code == 200
    assert everyone.text.count(accounts[REVIEWER]) >= 2
    assert "DISP4444" in everyone.text
    assert "META2222" in by_reviewer.text
    assert "SRCH3333" in by_reviewer.text
    assert "DISP4444" not in by_reviewer.text
    assert "SRCH3333" in by_reference.text
    assert "META2222" not in by_reference.text


def test_reviewer_cannot_list_access(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    signed_in(REVIEWER)

    assert client.get("/staff/reviews/access").status_code == 403
