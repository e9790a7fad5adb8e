"""The rate limits that service processes share through Redis.

The tests use the machine's Redis at 127.0.0.1:6379 (SOS_TEST_REDIS_URL), each
under a key prefix of its own that is deleted afterwards.
"""

import logging
import os
import secrets
from collections.abc import Iterator

import pytest
import redis

from directory.gateway import ratelimit
from directory.gateway.ratelimit import SharedRateLimiter
from directory.settings import Settings

REDIS_URL = os.environ.get("SOS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Nothing listens on this loopback port.
CLOSED_REDIS_URL = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    yield client
    client.close()


@pytest.fixture
def prefix(redis_client: redis.Redis) -> Iterator[str]:
    name = f"sostest-ratelimit-{secrets.token_hex(4)}"
    yield name
    for key in redis_client.scan_iter(f"{name}:*"):
        redis_client.delete(key)


def test_shared_limiter_allows_burst_then_rejects(
    redis_client: redis.Redis, prefix: str
) -> None:
    limiter = SharedRateLimiter(3, 60.0, redis_client, prefix)

    results = [limiter.acquire("key") for _ in range(4)]

    assert results[:3] == [None, None, None]
    assert results[3] is not None
    # One request comes back every 60 / 3 = 20 seconds.
    assert 19.0 < results[3] <= 20.0


def test_shared_limiter_bucket_is_shared(
    redis_client: redis.Redis, prefix: str
) -> None:
    first_process = SharedRateLimiter(2, 60.0, redis_client, prefix)
    second_process = SharedRateLimiter(2, 60.0, redis.Redis.from_url(REDIS_URL), prefix)

    assert first_process.acquire("key") is None
    assert second_process.acquire("key") is None
    assert first_process.acquire("key") is not None
    assert second_process.acquire("key") is not None


def test_shared_limiter_keys_are_independent(
    redis_client: redis.Redis, prefix: str
) -> None:
    limiter = SharedRateLimiter(1, 60.0, redis_client, prefix)

    assert limiter.acquire("first") is None
    assert limiter.acquire("first") is not None
    assert limiter.acquire("second") is None


def test_shared_limiter_forget_refills(redis_client: redis.Redis, prefix: str) -> None:
    limiter = SharedRateLimiter(1, 60.0, redis_client, prefix)
    limiter.acquire("key")

    limiter.forget("key")

    assert limiter.acquire("key") is None


def test_shared_bucket_expires_after_window(
    redis_client: redis.Redis, prefix: str
) -> None:
    limiter = SharedRateLimiter(5, 30.0, redis_client, prefix)

    limiter.acquire("key")

    expiry_ms = redis_client.pttl(f"{prefix}:key")
    assert 0 < expiry_ms <= 30_000


def test_shared_limiter_allows_when_redis_fails(
    prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = redis.Redis.from_url(CLOSED_REDIS_URL, socket_connect_timeout=0.5)
    limiter = SharedRateLimiter(1, 60.0, client, prefix)

    with caplog.at_level(logging.WARNING, logger=ratelimit.__name__):
        results = [limiter.acquire("key") for _ in range(3)]

    assert results == [None, None, None]
    assert "Redis failed: ConnectionError" in caplog.text


def test_limits_share_client_keys(monkeypatch: pytest.MonkeyPatch, prefix: str) -> None:
    shared = Settings(
        rate_limit_redis_url=REDIS_URL,
        rate_limit_redis_prefix=prefix,
        rate_limit_key_secret="an invented secret",
    )
    monkeypatch.setattr(ratelimit, "settings", shared)

    # Two service processes build their limits from the same settings.
    first = ratelimit.build_limits.__wrapped__()
    second = ratelimit.build_limits.__wrapped__()

    assert isinstance(first.per_client, SharedRateLimiter)
    assert isinstance(first.per_conversation, SharedRateLimiter)
    address_key = first.client_keys.key_for("192.0.2.10")
    assert address_key == second.client_keys.key_for("192.0.2.10")
    assert "192.0.2.10" not in address_key


def test_settings_require_secret_with_redis() -> None:
    with pytest.raises(ValueError, match="SOS_RATE_LIMIT_KEY_SECRET is missing"):
        Settings(rate_limit_redis_url=REDIS_URL)
