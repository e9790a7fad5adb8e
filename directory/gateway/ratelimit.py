"""Rate limits of the chat gateway, per conversation and per client.

Each limit is a token bucket per key: a key may send `limit` requests at once,
and regains one request every `window_seconds / limit` seconds. Client
addresses are turned into keyed hashes, so the limiter keeps no address in a
readable form. Nothing here logs or stores one.

By default the buckets live in the memory of the process, with a secret for
the hashes made at start-up. With `SOS_RATE_LIMIT_REDIS_URL` set they live in
Redis, shared by every service process, and the hashes use
`SOS_RATE_LIMIT_KEY_SECRET`, so that one address has one bucket everywhere.
"""

import functools
import hashlib
import hmac
import logging
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis
from fastapi import HTTPException, Request, status

from directory.gateway.content import get_wording
from directory.settings import settings

logger = logging.getLogger(__name__)

# The buckets are swept for idle keys at most once per this many seconds.
SWEEP_INTERVAL_SECONDS = 60.0


def check_limit(limit: int, window_seconds: float) -> None:
    """Raise ValueError unless a limiter can work with these numbers."""
    if limit < 1 or window_seconds <= 0:
        raise ValueError(
            f"A rate limit needs limit >= 1 and window_seconds > 0, "
            f"got limit={limit} and window_seconds={window_seconds}"
        )


@dataclass
class _Bucket:
    tokens: float
    updated_at: float


class RateLimiter:
    """Token-bucket rate limiter keyed by strings, held in memory.

    Routes call it from the thread pool, so a lock guards the buckets.
    """

    def __init__(
        self,
        limit: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        check_limit(limit, window_seconds)
        self.limit = limit
        self.window_seconds = window_seconds
        self.refill_per_second = limit / window_seconds
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._last_sweep = clock()
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float | None:
        """Take one request from `key`'s bucket.

        Returns None if the request is allowed, or the number of seconds after
        which the next request would be allowed. A rejected request takes
        nothing from the bucket.
        """
        with self._lock:
            return self._acquire(key)

    def _acquire(self, key: str) -> float | None:
        now = self.clock()
        self._sweep(now)

        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.limit), updated_at=now)
            self._buckets[key] = bucket
        else:
            elapsed = now - bucket.updated_at
            bucket.tokens = min(
                float(self.limit), bucket.tokens + elapsed * self.refill_per_second
            )
            bucket.updated_at = now

        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return (1.0 - bucket.tokens) / self.refill_per_second

    def forget(self, key: str) -> None:
        """Drop the bucket of `key`, for example when its conversation is deleted."""
        with self._lock:
            self._buckets.pop(key, None)

    def __len__(self) -> int:
        return len(self._buckets)

    def _sweep(self, now: float) -> None:
        """Drop buckets that have been idle long enough to be full again."""
        if now - self._last_sweep < SWEEP_INTERVAL_SECONDS:
            return
        self._last_sweep = now
        idle = [
            key
            for key, bucket in self._buckets.items()
            if now - bucket.updated_at >= self.window_seconds
        ]
        for key in idle:
            del self._buckets[key]


# Takes one request from a bucket in Redis, with Redis's own clock, so that the
# service hosts' clocks need not agree. Returns -1 when the request is allowed,
# or the seconds until the next one would be.
TAKE_SCRIPT = """
local limit = tonumber(ARGV[1])
local refill_per_second = tonumber(ARGV[2])
local expiry_ms = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'updated_at')
local tokens = tonumber(bucket[1])
local updated_at = tonumber(bucket[2])
if tokens == nil or updated_at == nil then
  tokens = limit
else
  tokens = math.min(limit, tokens + math.max(0, now - updated_at) * refill_per_second)
end
local wait = -1
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / refill_per_second
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated_at', tostring(now))
redis.call('PEXPIRE', KEYS[1], expiry_ms)
return tostring(wait)
"""


class SharedRateLimiter:
    """Token-bucket rate limiter keyed by strings, held in Redis.

    Every service process that uses the same Redis and prefix shares the
    buckets. A bucket expires once it has been idle for a whole window, when
    it would be full again. If Redis fails, the request is allowed and the
    failure logged: a missing rate limit harms less than a visitor turned away.
    """

    def __init__(
        self, limit: int, window_seconds: float, client: redis.Redis, prefix: str
    ) -> None:
        check_limit(limit, window_seconds)
        self.limit = limit
        self.window_seconds = window_seconds
        self.refill_per_second = limit / window_seconds
        self.client = client
        self.prefix = prefix
        self._take = client.register_script(TAKE_SCRIPT)

    def acquire(self, key: str) -> float | None:
        """Take one request from `key`'s bucket, as `RateLimiter.acquire` does."""
        expiry_ms = max(1, math.ceil(self.window_seconds * 1000))
        try:
            wait = float(
                self._take(
                    keys=[self._redis_key(key)],
                    args=[self.limit, repr(self.refill_per_second), expiry_ms],
                )
            )
        except redis.RedisError as exc:
            logger.warning(
                "Allowed a chat request without its rate limit because Redis "
                "failed: %s",
                type(exc).__name__,
            )
            return None
        return None if wait < 0 else wait

    def forget(self, key: str) -> None:
        """Drop the bucket of `key`, for example when its conversation is deleted."""
        try:
            self.client.delete(self._redis_key(key))
        except redis.RedisError as exc:
            logger.warning(
                "Could not drop a rate limit bucket because Redis failed: %s",
                type(exc).__name__,
            )

    def _redis_key(self, key: str) -> str:
        return f"{self.prefix}:{key}"


Limiter = RateLimiter | SharedRateLimiter


class ClientKeys:
    """Keyed hashes of client addresses, so that no address is kept in memory."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret if secret is not None else secrets.token_bytes(32)

    def key_for(self, address: str) -> str:
        """Return the limiter key of a client address."""
        digest = hmac.new(self._secret, address.encode("utf-8"), hashlib.sha256)
        return digest.hexdigest()


@dataclass
class GatewayLimits:
    """The gateway's limiters: one per client address, one per conversation."""

    per_client: Limiter
    per_conversation: Limiter
    client_keys: ClientKeys


# A rate limit check waits at most this long for Redis before it gives up and
# lets the request through.
REDIS_TIMEOUT_SECONDS = 0.5


async def get_limits() -> GatewayLimits:
    """Return the process-wide limiters (FastAPI dependency).

    It is async only so that FastAPI runs it on the event loop instead of
    sending it to the thread pool: building the limiters does no I/O.
    """
    return build_limits()


@functools.cache
def build_limits() -> GatewayLimits:
    """Return the process-wide limiters built from the settings."""
    window = settings.rate_limit_window_seconds
    if not settings.rate_limit_redis_url:
        return GatewayLimits(
            per_client=RateLimiter(settings.rate_limit_client_requests, window),
            per_conversation=RateLimiter(
                settings.rate_limit_conversation_messages, window
            ),
            client_keys=ClientKeys(),
        )

    client = redis.Redis.from_url(
        settings.rate_limit_redis_url,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )
    prefix = settings.rate_limit_redis_prefix
    secret = settings.rate_limit_key_secret or ""
    return GatewayLimits(
        per_client=SharedRateLimiter(
            settings.rate_limit_client_requests, window, client, f"{prefix}:client"
        ),
        per_conversation=SharedRateLimiter(
            settings.rate_limit_conversation_messages,
            window,
            client,
            f"{prefix}:conversation",
        ),
        client_keys=ClientKeys(secret.encode("utf-8")),
    )


class RateLimited(HTTPException):
    """429 response with the kind wording and a `Retry-After` header in seconds."""

    def __init__(self, retry_after_seconds: float) -> None:
        seconds = max(1, math.ceil(retry_after_seconds))
        super().__init__(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=get_wording().rate_limited,
            headers={"Retry-After": str(seconds)},
        )


def check_client_limit(request: Request, limits: GatewayLimits) -> None:
    """Raise `RateLimited` when the requesting address is over its limit.

    The address is read from the connection, and only its keyed hash reaches
    the limiter. Behind a reverse proxy, run uvicorn with `--proxy-headers`,
    so that the connection carries the visitor's address.
    """
    address = request.client.host if request.client else ""
    retry_after = limits.per_client.acquire(limits.client_keys.key_for(address))
    if retry_after is not None:
        logger.info("Rejected a chat request over the per-client rate limit")
        raise RateLimited(retry_after)


def check_conversation_limit(conversation_id: str, limits: GatewayLimits) -> None:
    """Raise `RateLimited` when the conversation is over its message limit."""
    retry_after = limits.per_conversation.acquire(conversation_id)
    if retry_after is not None:
        logger.info(
            "Rejected a message in conversation %s over the per-conversation "
            "rate limit",
            conversation_id,
        )
        raise RateLimited(retry_after)
