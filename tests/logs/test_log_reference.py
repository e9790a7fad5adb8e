"""References that visitors quote, erasure by reference, and access records."""

import asyncio
import os
import re
import subprocess
import sys

from sqlalchemy.orm import Session, sessionmaker

from directory.gateway import store as gateway_store
from directory.gateway.expiry import forget_idle_conversations
from directory.gateway.models import ChatConversation
from directory.logs.access import list_access, record_access
from directory.logs.erasure import erase_by_reference
from directory.logs.models import ConversationLog
from directory.logs.store import REFERENCE_ALPHABET, erase_conversation, open_log
from directory.rasa_client import RasaClient
from directory.settings import REPO_ROOT
from tests.gateway.fake_rasa import FAKE_TOKEN, FakeRasa

REFERENCE_PATTERN = re.compile(rf"[{REFERENCE_ALPHABET}]{{8}}")


def rasa_client(fake_rasa: FakeRasa) -> RasaClient:
    return RasaClient(fake_rasa.base_url, FAKE_TOKEN, 2.0)


def tracker_clears(fake_rasa: FakeRasa, conversation_id: str) -> int:
    """Count the requests that replaced the conversation's tracker events."""
    path = f"/conversations/{conversation_id}/tracker/events"
    return len([r for r in fake_rasa.requests_to(path) if r.method == "PUT"])


def erase_command(
    database_url: str, fake_rasa: FakeRasa, reference: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "directory.logs", "erase", reference],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "SOS_DATABASE_URL": database_url,
            "SOS_RASA_URLS": fake_rasa.base_url,
            "SOS_RASA_TOKEN": FAKE_TOKEN,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def new_conversation(session: Session) -> tuple[str, str]:
    """Issue a gateway conversation, open its log; return its id and reference."""
    conversation = gateway_store.create_conversation(session)
    log = open_log(session, conversation.conversation_id, None)
    return conversation.conversation_id, log.reference


def test_reference_format(session: Session) -> None:
    _, reference = new_conversation(session)

    assert REFERENCE_PATTERN.fullmatch(reference)


def test_references_unique_and_random(session: Session) -> None:
    references = {new_conversation(session)[1] for _ in range(200)}

    assert len(references) == 200


def test_reference_not_derived_from_id(session: Session) -> None:
    conversation_id = "33333333-3333-4333-8333-333333333333"
    first = open_log(session, conversation_id, None).reference
    erase_conversation(session, conversation_id)

    second = open_log(session, conversation_id, None).reference

    assert first != second


def test_erase_by_reference(session: Session, fake_rasa: FakeRasa) -> None:
    conversation_id, reference = new_conversation(session)
    other_id, _ = new_conversation(session)
    quoted = reference.lower()[:4] + "-" + reference[4:]

    erasure = asyncio.run(erase_by_reference(session, quoted, rasa_client(fake_rasa)))

    assert erasure is not None
    assert erasure.conversation_id == conversation_id
    assert erasure.tracker_cleared
    assert tracker_clears(fake_rasa, conversation_id) == 1
    session.expire_all()
    assert session.get(ConversationLog, conversation_id) is None
    assert session.get(ChatConversation, conversation_id) is None
    assert session.get(ConversationLog, other_id) is not None
    assert session.get(ChatConversation, other_id) is not None


def test_erase_unknown_reference(session: Session, fake_rasa: FakeRasa) -> None:
    new_conversation(session)

    erasure = asyncio.run(
        erase_by_reference(session, "ZZZZ9999", rasa_client(fake_rasa))
    )

    assert erasure is None
    assert fake_rasa.requests == []


def test_erase_with_rasa_down_keeps_row(
    session_factory: sessionmaker[Session], session: Session, fake_rasa: FakeRasa
) -> None:
    conversation_id, reference = new_conversation(session)
    fake_rasa.status_code = 500

    erasure = asyncio.run(
        erase_by_reference(session, reference, rasa_client(fake_rasa))
    )

    assert erasure is not None
    assert not erasure.tracker_cleared
    session.expire_all()
    assert session.get(ConversationLog, conversation_id) is None
    # The row stays, so that the idle purge can still find the tracker, and
    # its next run takes it although the conversation was active just now.
    assert session.get(ChatConversation, conversation_id) is not None

    fake_rasa.status_code = 200
    forgotten = asyncio.run(
        forget_idle_conversations(session_factory, rasa_client(fake_rasa), 6.0)
    )

    assert forgotten == 1
    assert tracker_clears(fake_rasa, conversation_id) == 2
    session.expire_all()
    assert session.get(ChatConversation, conversation_id) is None


def test_erase_command(
    database_url: str, session: Session, fake_rasa: FakeRasa
) -> None:
    conversation_id, reference = new_conversation(session)

    result = erase_command(database_url, fake_rasa, reference)

    assert result.returncode == 0, result.stderr
    assert "Erased the conversation" in result.stdout
    assert tracker_clears(fake_rasa, conversation_id) == 1
    session.expire_all()
    assert session.get(ConversationLog, conversation_id) is None
    assert session.get(ChatConversation, conversation_id) is None


def test_erase_command_rasa_down(
    database_url: str, session: Session, fake_rasa: FakeRasa
) -> None:
    conversation_id, reference = new_conversation(session)
    fake_rasa.status_code = 500

    result = erase_command(database_url, fake_rasa, reference)

    assert result.returncode == 3, result.stderr
    assert "could not be cleared" in result.stderr
    assert "Check that Rasa is running" in result.stderr
    session.expire_all()
    assert session.get(ConversationLog, conversation_id) is None
    assert session.get(ChatConversation, conversation_id) is not None


def test_erase_command_unknown_reference(
    database_url: str, fake_rasa: FakeRasa
) -> None:
    result = erase_command(database_url, fake_rasa, "ZZZZ9999")

    assert result.returncode == 1
    assert "No conversation log has the reference" in result.stderr


def test_access_recorded(session: Session) -> None:
    conversation_id, _ = new_conversation(session)

    access = record_access(session, 42, conversation_id)

    [listed] = list_access(session)
    assert listed.id == access.id
    assert listed.staff_id == "42"
    assert listed.conversation_id == conversation_id
    assert listed.accessed_at is not None


def test_access_filters_newest_first(session: Session) -> None:
    first_id, _ = new_conversation(session)
    second_id, _ = new_conversation(session)
    record_access(session, "reviewer-1", first_id)
    record_access(session, "reviewer-2", first_id)
    record_access(session, "reviewer-1", second_id)

    by_staff = list_access(session, staff_id="reviewer-1")
    by_conversation = list_access(session, conversation_id=first_id)

    assert [a.conversation_id for a in by_staff] == [second_id, first_id]
    assert [a.staff_id for a in by_conversation] == ["reviewer-2", "reviewer-1"]


def test_access_outlives_erasure(session: Session, fake_rasa: FakeRasa) -> None:
    conversation_id, reference = new_conversation(session)
    record_access(session, "reviewer-1", conversation_id)

    asyncio.run(erase_by_reference(session, reference, rasa_client(fake_rasa)))

    assert [a.conversation_id for a in list_access(session)] == [conversation_id]
