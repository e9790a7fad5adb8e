"""Fixtures for the reviewer page tests: staff accounts and a known set of logs.

The conversations are invented and written straight into the log tables.
Five start in November 2026 and one on 30 September 2026:

- META2222, 2 Nov, meta / paid_social: race in leicester, read as crime,
  offered third_party_report and police_report; one turn of low confidence.
- SRCH3333, 3 Nov, google / cpc: religion in charnwood, non_crime_incident,
  no route; one fallback turn (also of low confidence).
- DISP4444, 10 Nov, google / display: race and religion in leicester, crime,
  offered victim_support.
- TKTK5555, 11 Nov, tiktok / paid_social: characteristic none, no area,
  not_hate, no route; one fallback turn (also of low confidence).
- NONE6666, 18 Nov, no campaign: disability in melton, crime, offered
  police_report.
- OTHR7777, 30 Sep, other / other: race in leicester, crime, no route.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from directory.logs.models import ConversationLog, LogTurn
from tests.directory.staff.conftest import accounts, csrf_token, sign_in, signed_in

__all__ = ["accounts", "csrf_token", "sign_in", "signed_in"]


@dataclass(frozen=True)
class TurnSpec:
    """One invented visitor message and what the assistant made of it."""

    text: str
    intent: str
    confidence: float
    situation: dict[str, Any]
    reading: str | None = None
    routes: tuple[tuple[str, str], ...] = ()
    fallback: bool = False


@dataclass(frozen=True)
class ConversationSpec:
    """One invented conversation of the known set."""

    reference: str
    started_at: datetime
    utm_source: str | None
    utm_medium: str | None
    turns: tuple[TurnSpec, ...]


def _at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=UTC)


KNOWN_CONVERSATIONS = (
    ConversationSpec(
        "META2222",
        _at(11, 2),
        "meta",
        "paid_social",
        (
            TurnSpec(
                "a man on the bus shouted racist abuse at me",
                "describe_incident",
                0.93,
                {"characteristics": ["race"], "area": "leicester"},
                "crime",
                (
                    ("stop-hate-uk", "third_party_report"),
                    ("police-101", "police_report"),
                ),
            ),
            TurnSpec(
                "it was [PERSON_1] from the flats again",
                "inform",
                0.31,
                {"characteristics": ["race"], "area": "leicester"},
            ),
        ),
    ),
    ConversationSpec(
        "SRCH3333",
        _at(11, 3),
        "google",
        "cpc",
        (
            TurnSpec(
                "people keep staring and muttering at my headscarf in town",
                "describe_incident",
                0.88,
                {"characteristics": ["religion"], "area": "charnwood"},
                "non_crime_incident",
            ),
            TurnSpec(
                "what do you reckon then",
                "nlu_fallback",
                0.2,
                {"characteristics": ["religion"], "area": "charnwood"},
                fallback=True,
            ),
        ),
    ),
    ConversationSpec(
        "DISP4444",
        _at(11, 10),
        "google",
        "display",
        (
            TurnSpec(
                "they sprayed slurs about my race and my faith on the mosque wall",
                "describe_incident",
                0.95,
                {"characteristics": ["race", "religion"], "area": "leicester"},
                "crime",
                (("victim-first", "victim_support"),),
            ),
        ),
    ),
    ConversationSpec(
        "TKTK5555",
        _at(11, 11),
        "tiktok",
        "paid_social",
        (
            TurnSpec(
                "my neighbour parks across my drive",
                "describe_incident",
                0.7,
                {"characteristics": ["none"]},
                "not_hate",
            ),
            TurnSpec(
                "blah blah",
                "nlu_fallback",
                0.15,
                {"characteristics": ["none"]},
                fallback=True,
            ),
        ),
    ),
    ConversationSpec(
        "NONE6666",
        _at(11, 18),
        None,
        None,
        (
            TurnSpec(
                "someone kicked my wheelchair and called me names in melton",
                "describe_incident",
                0.9,
                {"characteristics": ["disability"], "area": "melton"},
                "crime",
                (("police-101", "police_report"),),
            ),
        ),
    ),
    ConversationSpec(
        "OTHR7777",
        _at(9, 30),
        "other",
        "other",
        (
            TurnSpec(
                "a group threw eggs at my house and shouted about where i am from",
                "describe_incident",
                0.9,
                {"characteristics": ["race"], "area": "leicester"},
                "crime",
            ),
        ),
    ),
)


def add_conversation(
    session: Session, spec: ConversationSpec, conversation_id: str | None = None
) -> ConversationLog:
    """Write one conversation and its turns into the log tables."""
    conversation = ConversationLog(
        conversation_id=conversation_id
        or str(uuid.uuid5(uuid.NAMESPACE_URL, spec.reference)),
        reference=spec.reference,
        started_at=spec.started_at,
        last_event_at=spec.started_at + timedelta(minutes=len(spec.turns)),
        utm_source=spec.utm_source,
        utm_medium=spec.utm_medium,
        unanswered_turns=0,
        reset_before_next_turn=False,
    )
    for number, turn in enumerate(spec.turns, start=1):
        conversation.turns.append(
            LogTurn(
                turn_number=number,
                message_id=f"{spec.reference}-{number}",
                occurred_at=spec.started_at + timedelta(minutes=number),
                input_kind="text",
                visitor_text=turn.text,
                intent=turn.intent,
                intent_confidence=turn.confidence,
                entities=[],
                replies=[
                    {
                        "response": None,
                        "text": "Thank you for telling me.",
                        "buttons": [],
                    }
                ],
                actions=[],
                situation=turn.situation,
                reading=turn.reading,
                routes=[
                    {"service_id": service_id, "route": route}
                    for service_id, route in turn.routes
                ],
                fallback=turn.fallback,
                complete=True,
            )
        )
    session.add(conversation)
    return conversation


@pytest.fixture
def known_logs(session_factory: sessionmaker[Session]) -> dict[str, str]:
    """Write the known conversations; return their conversation ids by reference."""
    ids: dict[str, str] = {}
    with session_factory() as db:
        for spec in KNOWN_CONVERSATIONS:
            conversation = add_conversation(db, spec)
            ids[spec.reference] = conversation.conversation_id
        db.commit()
    return ids


@pytest.fixture
def turn_ids(
    known_logs: dict[str, str], session_factory: sessionmaker[Session]
) -> Callable[[str], list[int]]:
    """Return a function that lists the turn ids of a known conversation."""

    def ids_of(reference: str) -> list[int]:
        with session_factory() as db:
            conversation = db.get(ConversationLog, known_logs[reference])
            assert conversation is not None
            return [turn.id for turn in conversation.turns]

    return ids_of
