"""Idle conversations are forgotten: Rasa tracker cleared, gateway row deleted."""

from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory.gateway.expiry import forget_idle_conversations
from directory.gateway.models import ChatConversation, utc_now
from directory.rasa_client import RasaClient
from tests.gateway.fake_rasa import FAKE_TOKEN, FakeRasa, unused_port

IDLE_ID = "1d1e0c3a-7b2f-4c6d-8e9a-0f1b2c3d4e5f"
ACTIVE_ID = "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"


def factory_of(session_factory: sessionmaker[Session]) -> Any:
    @contextmanager
    def open_session() -> Any:
        with session_factory() as session:
            yield session

    return open_session


@pytest.fixture
def conversations(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Store one conversation idle for 7 hours and one active a minute ago."""
    with session_factory() as session:
        for conversation_id, idle in ((IDLE_ID, 7 * 60), (ACTIVE_ID, 1)):
            session.add(
                ChatConversation(
                    conversation_id=conversation_id,
                    offered_buttons=[],
                    last_activity_at=utc_now() - timedelta(minutes=idle),
                )
            )
        session.commit()
    return session_factory


def stored_ids(session_factory: sessionmaker[Session]) -> list[str]:
    with session_factory() as session:
        return sorted(session.scalars(select(ChatConversation.conversation_id)))


@pytest.mark.asyncio
async def test_idle_conversation_is_forgotten(
    conversations: sessionmaker[Session], fake_rasa: FakeRasa
) -> None:
    rasa = RasaClient(fake_rasa.base_url, FAKE_TOKEN, 1.0)

    forgotten = await forget_idle_conversations(factory_of(conversations), rasa, 6.0)

    assert forgotten == 1
    assert stored_ids(conversations) == [ACTIVE_ID]
    cleared = fake_rasa.requests_to("/conversations/")
    assert [request.path for request in cleared] == [
        f"/conversations/{IDLE_ID}/tracker/events"
    ]
    assert cleared[0].body == []


@pytest.mark.asyncio
async def test_rows_stay_while_rasa_is_down(
    conversations: sessionmaker[Session],
) -> None:
    down = RasaClient(f"http://127.0.0.1:{unused_port()}", FAKE_TOKEN, 1.0)

    forgotten = await forget_idle_conversations(factory_of(conversations), down, 6.0)

    assert forgotten == 0
    assert stored_ids(conversations) == sorted([IDLE_ID, ACTIVE_ID])
