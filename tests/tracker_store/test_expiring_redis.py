"""The expiring Redis tracker store, against the machine's Redis on 127.0.0.1:6379.

Each test uses a key prefix of its own and deletes its keys afterwards.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Iterator

import pytest
import redis
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from tracker_store.expiring_redis import ExpiringRedisTrackerStore

REDIS_HOST = "127.0.0.1"
REDIS_PORT = 6379
REDIS_DB = 0
CONVERSATION_ID = "4f1d6f2e-1b7a-4c53-9d36-0c2f5e8a7b19"
DOMAIN = Domain.from_dict({"slots": {"area": {"type": "text", "mappings": []}}})


@pytest.fixture
def key_prefix() -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = "sostest" + secrets.token_hex(6)
    yield prefix
    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def raw_redis() -> redis.Redis:
    return redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)


def make_store(key_prefix: str, record_exp: object = "600") -> TrackerStore:
    """Build the store the way Rasa does, from an endpoints section with strings."""
    config = EndpointConfig(
        type="tracker_store.expiring_redis.ExpiringRedisTrackerStore",
        url=REDIS_HOST,
        port=str(REDIS_PORT),
        db=str(REDIS_DB),
        password="",
        key_prefix=key_prefix,
        record_exp=record_exp,
    )
    return TrackerStore.create(config, DOMAIN)


def conversation(*texts: str) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen")]
    for text in texts:
        events += [UserUttered(text), ActionExecuted("action_listen")]
    return DialogueStateTracker.from_events(CONVERSATION_ID, events, DOMAIN.slots)


def test_endpoint_config_builds_the_expiring_store(key_prefix: str) -> None:
    store = make_store(key_prefix)

    # Rasa falls back to the in-memory store when a custom type fails to load.
    assert isinstance(store, ExpiringRedisTrackerStore)


def test_second_store_reads_saved_tracker(key_prefix: str) -> None:
    first, second = make_store(key_prefix), make_store(key_prefix)
    tracker = conversation("someone shouted at me in oadby")
    tracker.update(SlotSet("area", "oadby_and_wigston"))

    asyncio.run(first.save(tracker))
    loaded = asyncio.run(second.retrieve(CONVERSATION_ID))

    assert loaded is not None
    assert loaded.get_slot("area") == "oadby_and_wigston"
    assert loaded.latest_message.text == "someone shouted at me in oadby"


def test_saved_tracker_expires_after_record_exp(
    key_prefix: str, raw_redis: redis.Redis
) -> None:
    store = make_store(key_prefix, record_exp="600")

    asyncio.run(store.save(conversation("hello")))

    ttl = raw_redis.ttl(f"{key_prefix}:tracker:{CONVERSATION_ID}")
    assert 590 <= ttl <= 600


def test_each_save_starts_the_expiry_again(
    key_prefix: str, raw_redis: redis.Redis
) -> None:
    store = make_store(key_prefix, record_exp=600)
    key = f"{key_prefix}:tracker:{CONVERSATION_ID}"
    asyncio.run(store.save(conversation("hello")))
    raw_redis.expire(key, 5)

    asyncio.run(store.save(conversation("hello", "it happened again")))

    assert raw_redis.ttl(key) > 590


def test_tracker_without_events_deletes_the_conversation(
    key_prefix: str, raw_redis: redis.Redis
) -> None:
    store = make_store(key_prefix)
    asyncio.run(store.save(conversation("my neighbour Dariusz keeps shouting")))

    # What Rasa saves for PUT /conversations/{id}/tracker/events with [].
    asyncio.run(store.save(DialogueStateTracker.from_dict(CONVERSATION_ID, [])))

    assert raw_redis.exists(f"{key_prefix}:tracker:{CONVERSATION_ID}") == 0
    assert asyncio.run(store.retrieve(CONVERSATION_ID)) is None


def test_store_without_expiry_is_refused(key_prefix: str) -> None:
    with pytest.raises(ValueError, match="record_exp"):
        ExpiringRedisTrackerStore(DOMAIN, host=REDIS_HOST, key_prefix=key_prefix)


def test_zero_expiry_is_refused(key_prefix: str) -> None:
    with pytest.raises(ValueError, match="record_exp"):
        ExpiringRedisTrackerStore(
            DOMAIN, host=REDIS_HOST, key_prefix=key_prefix, record_exp="0"
        )
