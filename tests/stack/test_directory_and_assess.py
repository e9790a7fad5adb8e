"""The assessment API and the directory, against the running stack."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import select, update

from directory.db.models import Phone
from directory.db.session import make_engine, make_sessionmaker
from stack.launcher import Stack
from tests.stack.conftest import Conversation, joined

# Invented details planted in messages; none may reach a log file.
PLANTED_NAME = "Zebedee Quartermaine"
PLANTED_PHONE = "07700 900461"


def test_directory_edit_changes_next_answer(
    conversation: Conversation, database_url: str
) -> None:
    sessions = make_sessionmaker(make_engine(database_url))
    with sessions() as session:
        phone = session.scalars(
            select(Phone).where(Phone.service_id == "tell-mama", Phone.type == "voice")
        ).first()
        assert phone is not None
        original = phone.number
        session.execute(
            update(Phone).where(Phone.id == phone.id).values(number="0800 000 1234")
        )
        session.commit()

    try:
        conversation.say(
            "a man ripped off my hijab in oakham and called me a terrorist"
        )
        reply = joined(conversation.press("No"))

        assert "0800 000 1234" in reply
        assert original not in reply
    finally:
        with sessions() as session:
            session.execute(
                update(Phone).where(Phone.id == phone.id).values(number=original)
            )
            session.commit()


def test_assess_returns_labels_and_routes(client: httpx.Client) -> None:
    response = client.post(
        "/api/assess",
        json={
            "text": "my neighbour in wigston smashed our window and shouted "
            "go back to poland"
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert "race" in body["characteristics"]
    assert "criminal_damage" in body["incident_types"]
    assert body["area"] == "oadby_and_wigston"
    assert body["likely"] == "crime"
    assert body["urgent"] is False
    names = [route["name"] for route in body["routes"]]
    assert any("Oadby and Wigston" in name for name in names)
    assert body["explanation"]


def test_assess_and_conversation_agree(
    client: httpx.Client, conversation: Conversation
) -> None:
    text = "someone keyed my car and wrote gay slurs on it outside my flat in melton"
    assessed = client.post("/api/assess", json={"text": text}).json()

    conversation.say(text)
    reply = joined(conversation.press("No"))

    for route in assessed["routes"]:
        assert route["name"] in reply


def test_assess_is_in_openapi(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()

    assert "/api/assess" in document["paths"]


def test_planted_details_never_logged(
    conversation: Conversation, stack: Stack, log_dir: Path
) -> None:
    conversation.say(
        f"my neighbour {PLANTED_NAME} keeps calling me a p*ki, ring me on "
        f"{PLANTED_PHONE}"
    )
    conversation.say(f"{PLANTED_NAME} did it again today")

    for log_file in log_dir.glob("*.log"):
        content = log_file.read_text(encoding="utf-8", errors="replace")
        assert PLANTED_NAME not in content, log_file.name
        assert PLANTED_PHONE not in content, log_file.name
