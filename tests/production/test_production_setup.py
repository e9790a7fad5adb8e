"""The production set-up: two Rasa servers and two action servers behind the
gateway, conversations in Redis, events through RabbitMQ, PostgreSQL for the
directory and the logs. All people and events are invented."""

from __future__ import annotations

import time

import httpx
import redis
from sqlalchemy.orm import Session

from directory.db.session import make_engine
from directory.logs.models import ConversationLog
from stack.launcher import Stack
from tests.production.conftest import (
    TRACKER_EXPIRY_SECONDS,
    logged_turns,
    wait_for,
)
from tests.stack.conftest import Conversation, joined

EMERGENCY = "999"
STOP_HATE_UK = "0800 138 1625"


def tracker_key(stack_name: str, conversation_id: str) -> str:
    return f"{stack_name}:tracker:{conversation_id}"


def events_on(stack: Stack, server: int, conversation_id: str) -> list[dict]:
    response = httpx.get(
        f"{stack.rasa_urls[server]}/conversations/{conversation_id}/tracker",
        params={"token": stack.rasa_token},
        timeout=30.0,
    )
    response.raise_for_status()
    return response.json()["events"]


def test_both_rasa_servers_read_the_same_conversation(
    production: Stack, conversation: Conversation
) -> None:
    conversation.say("a man spat at me on the bus in melton because im jewish")

    first = events_on(production, 0, conversation.id)
    second = events_on(production, 1, conversation.id)

    assert first == second
    assert any(event.get("event") == "user" for event in first)


def test_conversation_survives_failover_and_restart_of_rasa(
    production: Stack, conversation: Conversation, restore_processes: None
) -> None:
    conversation.say("something happened to me and i dont know what to do")

    # The first server stops: the second takes the turn from Redis.
    production.stop_process("rasa")
    conversation.say("no")
    characteristic_question = joined(conversation.say("they punched me in the face"))

    assert "who you are" in characteristic_question

    # The first server starts again and the second stops: the restarted server
    # carries on where the conversation was.
    production.start_process("rasa")
    production.stop_process("rasa-2")
    area_question = joined(conversation.say("because im black"))

    assert "Where did it happen" in area_question
    routes = joined(conversation.say("it was in hinckley"))

    assert "Hinckley and Bosworth" in routes


def test_rasa_down_gets_fallback_at_once(
    production: Stack, conversation: Conversation, restore_processes: None
) -> None:
    production.stop_process("rasa")
    production.stop_process("rasa-2")

    started = time.monotonic()
    reply = conversation.client.post(
        f"/api/chat/conversations/{conversation.id}/messages",
        json={"text": "someone threw a brick through my window"},
    )
    elapsed = time.monotonic() - started

    assert reply.status_code == 200
    body = reply.json()
    assert body["assistant_unavailable"] is True
    assert EMERGENCY in joined(body["messages"])
    assert STOP_HATE_UK in joined(body["messages"])
    # Both refusals are immediate; a hang would wait for the 10-second timeout.
    assert elapsed < 3.0


def test_tracker_is_in_redis_with_expiry(
    production: Stack,
    conversation: Conversation,
    redis_client: redis.Redis,
    stack_name: str,
) -> None:
    conversation.say("my neighbour keeps shouting abuse about my wheelchair")

    key = tracker_key(stack_name, conversation.id)
    ttl = redis_client.ttl(key)

    assert redis_client.exists(key) == 1
    assert TRACKER_EXPIRY_SECONDS - 120 < ttl <= TRACKER_EXPIRY_SECONDS


def test_rate_limits_are_kept_in_redis(
    production: Stack,
    conversation: Conversation,
    redis_client: redis.Redis,
    stack_name: str,
) -> None:
    conversation.say("someone keeps leaving hate leaflets on my car in melton")

    conversation_bucket = f"{stack_name}:ratelimit:conversation:{conversation.id}"
    client_buckets = list(redis_client.scan_iter(f"{stack_name}:ratelimit:client:*"))

    assert redis_client.exists(conversation_bucket) == 1
    assert client_buckets
    # The client's bucket is named by a keyed hash, not by its address.
    assert all(b"127.0.0.1" not in key for key in client_buckets)


def test_delete_removes_redis_and_postgresql_data(
    production: Stack,
    conversation: Conversation,
    redis_client: redis.Redis,
    stack_name: str,
    database_url: str,
) -> None:
    conversation.say("a woman called Ottilie Vance shouted at me in oadby")
    key = tracker_key(stack_name, conversation.id)
    assert redis_client.exists(key) == 1
    assert wait_for(lambda: logged_turns(database_url, conversation.id))

    response = conversation.client.delete(f"/api/chat/conversations/{conversation.id}")

    assert response.status_code == 204
    assert redis_client.exists(key) == 0
    ratelimit_bucket = f"{stack_name}:ratelimit:conversation:{conversation.id}"
    assert redis_client.exists(ratelimit_bucket) == 0
    # Events still in the queue would open the log again; give them time.
    time.sleep(3)
    engine = make_engine(database_url)
    with Session(engine) as session:
        assert session.get(ConversationLog, conversation.id) is None
    engine.dispose()


def test_logs_reach_postgresql_through_rabbitmq_redacted(
    production: Stack, conversation: Conversation, database_url: str
) -> None:
    conversation.say("my manager Ottilie Vance keeps mocking my accent in coalville")
    conversation.say("no")

    assert wait_for(lambda: len(logged_turns(database_url, conversation.id)) >= 2)
    turns = logged_turns(database_url, conversation.id)

    assert "[PERSON_1]" in turns[0].visitor_text
    assert "Ottilie" not in turns[0].visitor_text
    assert turns[0].replies
