"""A Redis tracker store for Rasa 3.6 that always expires and can be erased.

Several Rasa servers share conversations through it (bot/endpoints-production.yml).
Trackers hold what visitors typed before redaction, so the store refuses to
start without an expiry, and Redis must run without persistence (docs/deployment.md).

It fixes two things in Rasa 3.6's own RedisTrackerStore:

- Erasure. Rasa replaces a tracker's events (`PUT /conversations/{id}/tracker/events`)
  by saving a new tracker, and RedisTrackerStore merges the stored events back
  into any tracker that is not an extension of them. Saving a tracker without
  events therefore left the whole conversation in Redis. Here it deletes the key.
- Types. Values from environment variables in the endpoints file arrive as
  strings, which Redis rejects as an expiry. Here they are converted.
"""

from __future__ import annotations

from typing import Any, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

# Seconds a Redis command or connection may take before it fails.
REDIS_TIMEOUT_SECONDS = 5.0


class ExpiringRedisTrackerStore(RedisTrackerStore):
    """RedisTrackerStore with a required expiry and erasure by an empty tracker.

    `record_exp` is the number of seconds a conversation is kept after its last
    turn; each turn saves the tracker and starts the time again.
    """

    def __init__(
        self,
        domain: Domain,
        host: str = "localhost",
        port: Any = 6379,
        db: Any = 0,
        username: Optional[str] = None,
        password: Optional[str] = None,
        event_broker: Optional[EventBroker] = None,
        record_exp: Any = None,
        key_prefix: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        expiry = _whole_seconds(record_exp)
        if expiry is None or expiry <= 0:
            raise ValueError(
                "ExpiringRedisTrackerStore needs `record_exp`, the seconds a "
                "conversation is kept after its last turn: set it in the "
                "endpoints file (SOS_TRACKER_EXPIRY_SECONDS in "
                "bot/endpoints-production.yml)"
            )
        super().__init__(
            domain,
            host=host,
            port=int(port),
            db=int(db),
            username=username or None,
            password=password or None,
            event_broker=event_broker,
            record_exp=expiry,
            key_prefix=key_prefix or None,
            **kwargs,
        )
        # Rasa calls Redis on its event loop, so a Redis that stops responding
        # would stop every conversation on this server without a time limit.
        self.red.connection_pool.connection_kwargs.update(
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )

    async def save(
        self, tracker: DialogueStateTracker, timeout: Optional[float] = None
    ) -> None:
        """Save the tracker, or delete the conversation if it has no events.

        Every conversation that Rasa has processed has events, so a tracker
        without any is the result of replacing its events with an empty list:
        the gateway's erasure of the conversation.
        """
        if not tracker.events:
            self.red.delete(self.key_prefix + tracker.sender_id)
            return
        await super().save(tracker, timeout=_whole_seconds(timeout))


def _whole_seconds(value: Any) -> Optional[int]:
    """Return `value` as whole seconds, or None if it is empty."""
    if value is None or value == "":
        return None
    return int(float(value))
