"""What the production set-up keeps in Redis after a conversation with planted
personal details, and after the conversation is deleted.

Rasa's tracker is the only key allowed to hold what the visitor typed, and only
with an expiry (docs/deployment.md). Every key of the set-up must expire, and a
deleted conversation must leave no key that names it or contains its details.
Every person and detail here is invented.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import redis

from stack.launcher import Stack
from tests.production.conftest import TRACKER_EXPIRY_SECONDS, logged_turns, wait_for
from tests.stack.conftest import Conversation

NAME = "Petronella Ashcombe"
PHONE = "07700 900562"
EMAIL = "p.ashcombe@example.org"
POSTCODE = "LE2 9QX"
STREET_ADDRESS = "31 Brackenfield Gardens"
PLANTED = (
    NAME,
    "Ashcombe",
    PHONE,
    PHONE.replace(" ", ""),
    EMAIL,
    POSTCODE,
    STREET_ADDRESS,
    "Brackenfield",
)
MESSAGES = (
    f"my neighbour {NAME} keeps shouting at me because I'm Sikh",
    f"she lives at {STREET_ADDRESS}, {POSTCODE}",
    f"ring me on {PHONE} or email {EMAIL}",
)


def key_contents(client: redis.Redis, key: bytes) -> str:
    """Return a key's name and value as text, whatever the key's Redis type."""
    kind = client.type(key)
    value: object
    if kind == b"string":
        value = client.get(key)
    elif kind == b"hash":
        value = client.hgetall(key)
    elif kind == b"list":
        value = client.lrange(key, 0, -1)
    elif kind == b"set":
        value = client.smembers(key)
    elif kind == b"zset":
        value = client.zrange(key, 0, -1, withscores=True)
    elif kind == b"none":
        # The key expired or was deleted between the scan and the read.
        value = b""
    else:
        value = client.dump(key)
    return f"{key!r} {value!r}"


def keys_containing(client: redis.Redis, needles: tuple[str, ...]) -> dict[str, list]:
    """Return every key of the Redis database whose name or value contains one
    of `needles`, with the needles found, ignoring case."""
    found: dict[str, list] = {}
    for key in client.scan_iter(count=1000):
        content = key_contents(client, key).lower()
        hits = [needle for needle in needles if needle.lower() in content]
        if hits:
            found[key.decode("utf-8", "replace")] = hits
    return found


def keys_without_expiry(client: redis.Redis, pattern: str) -> list[str]:
    """Return the keys matching `pattern` that have no expiry.

    `TTL` returns -1 for a key without expiry and -2 for a key that has
    expired since the scan.
    """
    return [
        key.decode("utf-8", "replace")
        for key in client.scan_iter(match=pattern, count=1000)
        if client.ttl(key) == -1
    ]


@pytest.fixture
def planted_conversation(
    production: Stack, conversation: Conversation, database_url: str
) -> Iterator[Conversation]:
    """Hold a conversation with the planted details and wait for its log.
    Delete it afterwards, so that the next test finds only its own."""
    for message in MESSAGES:
        conversation.say(message)
    assert wait_for(
        lambda: len(logged_turns(database_url, conversation.id)) >= len(MESSAGES)
    )
    yield conversation
    response = conversation.client.delete(f"/api/chat/conversations/{conversation.id}")
    assert response.status_code in (204, 404), response.text


def test_raw_text_only_in_tracker(
    planted_conversation: Conversation, redis_client: redis.Redis, stack_name: str
) -> None:
    tracker = f"{stack_name}:tracker:{planted_conversation.id}"

    found = keys_containing(redis_client, PLANTED)

    assert list(found) == [tracker]
    # The tracker contains the text as typed, which shows that the search works.
    assert {NAME, PHONE, EMAIL, POSTCODE, STREET_ADDRESS} <= set(found[tracker])


def test_every_key_expires(
    planted_conversation: Conversation, redis_client: redis.Redis, stack_name: str
) -> None:
    tracker = f"{stack_name}:tracker:{planted_conversation.id}"
    conversation_keys = keys_containing(redis_client, (planted_conversation.id,))

    assert tracker in conversation_keys
    assert keys_without_expiry(redis_client, f"{stack_name}:*") == []
    assert [key for key in conversation_keys if redis_client.ttl(key) == -1] == []
    assert 0 < redis_client.ttl(tracker) <= TRACKER_EXPIRY_SECONDS


@pytest.mark.parametrize("exit_by", ["delete", "beacon"])
def test_deleted_conversation_leaves_no_key(
    planted_conversation: Conversation,
    redis_client: redis.Redis,
    exit_by: str,
) -> None:
    path = f"/api/chat/conversations/{planted_conversation.id}"
    client: httpx.Client = planted_conversation.client
    if exit_by == "delete":
        response = client.delete(path)
    else:
        # The quick exit's `navigator.sendBeacon` posts an empty text body.
        response = client.post(
            f"{path}/delete",
            content=b"",
            headers={"content-type": "text/plain;charset=UTF-8"},
        )

    assert response.status_code == 204
    assert keys_containing(redis_client, (planted_conversation.id,)) == {}
    assert keys_containing(redis_client, PLANTED) == {}
