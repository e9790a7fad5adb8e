"""References that visitors quote, erasure by reference, and access records."""

import os
import re
import subprocess
import sys

from sqlalchemy.orm import Session

from directory.gateway import store as gateway_store
from directory.gateway.models import ChatConversation
from directory.logs.access import list_access, record_access
from directory.logs.models import ConversationLog
from directory.logs.store import (
    REFERENCE_ALPHABET,
    erase_by_reference,
    erase_conversation,
    open_log,
)
from directory.settings import REPO_ROOT

REFERENCE_PATTERN = re.compile(rf"[{REFERENCE_ALPHABET}]{{8}}")


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


def test_erase_by_reference(session: Session) -> None:
    conversation_id, reference = new_conversation(session)
    other_id, _ = new_conversation(session)

    erased = erase_by_reference(session, reference.lower()[:4] + "-" + reference[4:])

    assert erased == conversation_id
    session.expire_all()
    assert session.get(ConversationLog, conversation_id) is None
    assert session.get(ChatConversation, conversation_id) is None
    assert session.get(ConversationLog, other_id) is not None


def test_erase_unknown_reference(session: Session) -> None:
    new_conversation(session)

    assert erase_by_reference(session, "ZZZZ9999") is None


def test_erase_command(database_url: str, session: Session) -> None:
    conversation_id, reference = new_conversation(session)

    result = subprocess.run(
        [sys.executable, "-m", "directory.logs", "erase", reference],
        cwd=REPO_ROOT,
        env={**os.environ, "SOS_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    session.expire_all()
    assert session.get(ConversationLog, conversation_id) is None


def test_erase_command_unknown_reference(database_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "directory.logs", "erase", "ZZZZ9999"],
        cwd=REPO_ROOT,
        env={**os.environ, "SOS_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )

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


def test_access_outlives_erasure(session: Session) -> None:
    conversation_id, reference = new_conversation(session)
    record_access(session, "reviewer-1", conversation_id)

    erase_by_reference(session, reference)

    assert [a.conversation_id for a in list_access(session)] == [conversation_id]
