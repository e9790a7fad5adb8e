"""A Rasa 3.6 event broker that posts tracker events to the directory service.

Configure it in bot/endpoints.yml:

    event_broker:
      type: event_broker.loopback.LoopbackEventBroker
      url: http://127.0.0.1:8000/api/logs/events
      token: <the service's SOS_LOG_INGEST_TOKEN>

Rasa calls `publish` for every new event of a conversation when it saves the
tracker. The broker keeps the events in memory, in order, and one background
task posts them in batches to the service, which redacts them before storing
anything. A batch leaves a fifth of a second after its first event
(`flush_delay_seconds`), once the turn's reply has gone. Nothing is written to
disk, and the broker's own log lines carry counts, status codes and error
types, never an event.

It runs in Rasa's Python 3.10 environment and uses only aiohttp, which Rasa
already depends on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from asyncio import AbstractEventLoop
from collections import deque
from typing import Any, Deque, Dict, List, Optional

import aiohttp
from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# The service rejects request bodies over 64 KiB (SOS_MAX_BODY_BYTES), so a
# batch stays well below that. A single larger event is sent on its own.
DEFAULT_MAX_BATCH_BYTES = 32 * 1024
# Events held while the service is unreachable; the oldest are dropped first.
DEFAULT_MAX_PENDING_EVENTS = 10_000
# The service builds its redaction engine on the first batch, which takes some
# seconds on a loaded 2-core machine.
DEFAULT_TIMEOUT_SECONDS = 15.0
DEFAULT_ATTEMPTS = 3
RETRY_DELAY_SECONDS = 1.0
# Rasa publishes a turn's events just before it sends the reply, so a batch
# posted at once would be stored by the directory service while that service
# handles the same reply in the chat gateway. Waiting this long moves the
# storing out of the visitor's turn, and puts the events of turns that came
# close together in one request.
DEFAULT_FLUSH_DELAY_SECONDS = 0.2
# Parts of a user event's parse data that the log does not use. Dropping them
# keeps batches small.
UNUSED_PARSE_KEYS = ("intent_ranking", "response_selector", "text")


class LoopbackEventBroker(EventBroker):
    """Posts Rasa events as `{"events": [...]}` with a bearer token."""

    def __init__(
        self,
        url: str,
        token: str,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
        max_pending_events: int = DEFAULT_MAX_PENDING_EVENTS,
        attempts: int = DEFAULT_ATTEMPTS,
        flush_delay_seconds: float = DEFAULT_FLUSH_DELAY_SECONDS,
    ) -> None:
        if not url:
            raise ValueError(
                "The loopback event broker needs `url`: set it in endpoints.yml "
                "to the service's /api/logs/events address"
            )
        if not token:
            raise ValueError(
                "The loopback event broker needs `token`: set it in endpoints.yml "
                "to the service's SOS_LOG_INGEST_TOKEN"
            )
        self.url = url
        self.token = token
        self.timeout_seconds = float(timeout_seconds)
        self.max_batch_bytes = int(max_batch_bytes)
        self.attempts = max(1, int(attempts))
        self.flush_delay_seconds = max(0.0, float(flush_delay_seconds))
        self._pending: Deque[Dict[str, Any]] = deque(maxlen=int(max_pending_events))
        self._wake: Optional[asyncio.Event] = None
        self._worker: Optional[asyncio.Task] = None
        self._session: Optional[aiohttp.ClientSession] = None
        self._dropped = 0
        self._posting = False

    @classmethod
    async def from_endpoint_config(
        cls,
        broker_config: EndpointConfig,
        event_loop: Optional[AbstractEventLoop] = None,
    ) -> LoopbackEventBroker:
        """Build the broker from the `event_broker` section of endpoints.yml."""
        options = dict(broker_config.kwargs)
        return cls(
            url=broker_config.url or "",
            token=broker_config.token or options.pop("token", ""),
            timeout_seconds=options.get("timeout_seconds", DEFAULT_TIMEOUT_SECONDS),
            max_batch_bytes=options.get("max_batch_bytes", DEFAULT_MAX_BATCH_BYTES),
            max_pending_events=options.get(
                "max_pending_events", DEFAULT_MAX_PENDING_EVENTS
            ),
            attempts=options.get("attempts", DEFAULT_ATTEMPTS),
            flush_delay_seconds=options.get(
                "flush_delay_seconds", DEFAULT_FLUSH_DELAY_SECONDS
            ),
        )

    def publish(self, event: Dict[str, Any]) -> None:
        """Queue the event for the background task that posts it."""
        if len(self._pending) == self._pending.maxlen:
            self._dropped += 1
            if self._dropped == 1 or self._dropped % 1000 == 0:
                logger.error(
                    "Event broker queue full (%d events): dropped %d events so far",
                    len(self._pending),
                    self._dropped,
                )
        self._pending.append(reduce_event(event))
        self._ensure_worker()
        assert self._wake is not None
        self._wake.set()

    def is_ready(self) -> bool:
        """Return True: the broker needs no connection before it can queue."""
        return True

    async def close(self) -> None:
        """Post what is still queued (waiting up to one timeout), then stop."""
        if self._worker is not None:
            try:
                await asyncio.wait_for(
                    self._wait_until_sent(), timeout=self.timeout_seconds
                )
            except asyncio.TimeoutError:
                logger.error(
                    "Dropped %d conversation events queued when Rasa stopped",
                    len(self._pending),
                )
            self._worker.cancel()
            try:
                await self._worker
            except asyncio.CancelledError:
                pass
            self._worker = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _wait_until_sent(self) -> None:
        while self._pending or self._posting:
            await asyncio.sleep(0.05)

    def _ensure_worker(self) -> None:
        if self._worker is not None and not self._worker.done():
            return
        self._wake = asyncio.Event()
        self._worker = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            if self.flush_delay_seconds:
                await asyncio.sleep(self.flush_delay_seconds)
            self._wake.clear()
            await self._flush()

    async def _flush(self) -> None:
        """Post every queued event, batch by batch, in the order published."""
        while self._pending:
            batch = self._next_batch()
            self._posting = True
            try:
                await self._post(uuid.uuid4().hex, batch)
            finally:
                self._posting = False

    def _next_batch(self) -> List[Dict[str, Any]]:
        batch: List[Dict[str, Any]] = []
        size = 0
        while self._pending:
            event_size = len(json.dumps(self._pending[0]))
            if batch and size + event_size > self.max_batch_bytes:
                break
            batch.append(self._pending.popleft())
            size += event_size
        return batch

    async def _post(self, batch_id: str, batch: List[Dict[str, Any]]) -> None:
        """Post one batch, retrying; drop it after the last failed attempt.

        Every attempt carries the same `batch_id`, so the service stores a
        batch once even when an attempt timed out after the service stored it.
        """
        headers = {"Authorization": f"Bearer {self.token}"}
        for attempt in range(1, self.attempts + 1):
            try:
                session = self._get_session()
                async with session.post(
                    self.url,
                    json={"batch_id": batch_id, "events": batch},
                    headers=headers,
                ) as response:
                    if response.status == 200:
                        return
                    problem = f"HTTP {response.status}"
                    if response.status in (400, 401, 413, 422):
                        # The same request would fail again.
                        break
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                problem = type(exc).__name__
            if attempt < self.attempts:
                await asyncio.sleep(RETRY_DELAY_SECONDS * attempt)

        logger.error(
            "Dropped %d conversation events: posting them to the log service "
            "failed (%s)",
            len(batch),
            problem,
        )

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout_seconds)
            )
        return self._session


def reduce_event(event: Dict[str, Any]) -> Dict[str, Any]:
    """Return the event without the parse data the log does not read."""
    parse_data = event.get("parse_data")
    if not isinstance(parse_data, dict):
        return event
    reduced = dict(event)
    reduced["parse_data"] = {
        key: value for key, value in parse_data.items() if key not in UNUSED_PARSE_KEYS
    }
    return reduced
