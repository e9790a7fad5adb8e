"""Async client for the HTTP API and REST channel of one or more Rasa 3.6 servers.

With several Rasa servers (the production set-up, docs/deployment.md) every
request goes to the server with the fewest requests in flight, the next in
turn among equals, and a server that refuses the connection is skipped for the
next one. Each server takes at most a set number of requests at once, and the
rest wait here for a free place. A crowd of visitors then queues in
the gateway instead of inside Rasa, where each queued turn would use up its
timeout. Any server can then take any turn of a
conversation, which needs a tracker store and a lock store that the servers
share (Redis). Each Rasa server can be paired with the action server it calls,
so that the gateway can tell when a turn ran without its custom actions.

A running service keeps its connections to Rasa and action servers open
between requests (`RasaConnections`), so that a turn does not open two or
three new TCP connections.
"""

import asyncio
import itertools
import logging
import ssl
import time
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.requests import Request

from directory.settings import settings

logger = logging.getLogger(__name__)

# httpx logs every request URL at INFO, and the Rasa HTTP API takes its auth
# token as a query parameter, so INFO records from httpx would contain the token.
logging.getLogger("httpx").setLevel(logging.WARNING)

# A refused or unanswered connection fails over to the next server within this
# time, instead of waiting for the whole turn's timeout.
CONNECT_TIMEOUT_SECONDS = 1.0
# An action server that failed its health check, or whose custom action failed
# in a turn, is tried last for this many seconds. A health check waits at most
# ACTION_HEALTH_TIMEOUT_SECONDS.
ACTION_SERVER_DOWN_SECONDS = 5.0
ACTION_HEALTH_TIMEOUT_SECONDS = 0.5
# A connection left idle this long is closed by the client. Sanic 21.12, which
# serves Rasa 3.6 and rasa-sdk, closes idle connections after 5 s by default
# (KEEP_ALIVE_TIMEOUT). Closing them here first keeps requests off connections
# that the server is closing at that moment.
KEEPALIVE_SECONDS = 2.0
# A Rasa server that refused a connection or failed a request is tried after
# the others for this many seconds. It has no requests in flight, so without
# this it would look like the least busy server and draw every turn.
RASA_SERVER_DOWN_SECONDS = 5.0
# The custom message that `python -m rasa_runtime` adds to a turn whose custom
# action could not run (rasa_runtime/action_failures.py).
ACTIONS_UNAVAILABLE = "actions_unavailable"

# Shared by every client: the request counter that spreads requests over the
# servers, the times until which Rasa and action servers count as down, and
# one TLS context, because building one loads the certificate bundle
# (milliseconds of CPU per request otherwise).
_request_counter = itertools.count()
_action_server_down_until: dict[str, float] = {}
_rasa_server_down_until: dict[str, float] = {}
_tls_context = ssl.create_default_context()


class RasaConnections:
    """Open HTTP clients, one per server URL, kept for the life of the service.

    Create it and close it on the event loop that serves requests, because
    connections belong to the loop that opened them. The application's
    lifespan does both.
    """

    def __init__(self) -> None:
        self._clients: dict[str, httpx.AsyncClient] = {}

    def client(self, base_url: str) -> httpx.AsyncClient:
        """Return the open client of `base_url`, opening it on first use."""
        client = self._clients.get(base_url)
        if client is None:
            client = self._clients[base_url] = httpx.AsyncClient(
                base_url=base_url,
                limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS),
                verify=_tls_context,
            )
        return client

    async def close(self) -> None:
        """Close every client and its connections."""
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()


def _message_body(
    conversation_id: str, text: str, metadata: dict[str, Any] | None
) -> dict[str, Any]:
    body: dict[str, Any] = {"sender": conversation_id, "message": text}
    if metadata:
        body["metadata"] = metadata
    return body


class RasaUnavailable(Exception):
    """Raised when no Rasa server can be reached, one times out, or replies badly."""


class RasaBusy(RasaUnavailable):
    """Raised when every Rasa server stayed full for the whole queueing time."""


class _Places:
    """Requests in flight per Rasa server URL, and the requests waiting for one.

    Everything here runs on one event loop, so the counts change only between
    awaits and need no lock. Giving a place back never awaits, so a cancelled
    request cannot keep its place.
    """

    def __init__(self) -> None:
        self.in_flight: Counter[str] = Counter()
        self.waiting: list[asyncio.Future[None]] = []

    def wake_waiting(self) -> None:
        """Wake every waiting request, so that each checks for a place again."""
        for waiter in self.waiting:
            if not waiter.done():
                waiter.set_result(None)
        self.waiting.clear()


# One set of places per event loop, because futures belong to the loop that
# made them (tests run each in a loop of its own).
_places_by_loop: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Places]" = (
    weakref.WeakKeyDictionary()
)


def _places() -> _Places:
    loop = asyncio.get_running_loop()
    places = _places_by_loop.get(loop)
    if places is None:
        places = _places_by_loop[loop] = _Places()
    return places


@dataclass(frozen=True)
class RasaTurn:
    """The assistant's messages for one turn, and whether its actions could run.

    `actions_available` is False when a custom action of the turn could not
    run, as Rasa reports it: Rasa skips custom actions it cannot reach, so the
    reply may lack the routes.
    """

    messages: list[dict[str, Any]]
    actions_available: bool = True


class RasaClient:
    """Client for the Rasa endpoints that the directory service uses.

    `base_url` is one Rasa server's URL or a list of them. `action_server_urls`,
    if given, lists the base URL of the action server that each Rasa server
    calls, in the same order. At most `requests_per_server` requests go to one
    server at once, counted over every client in the process; a request that
    finds every server full waits up to `queue_seconds` for a place, then raises
    `RasaBusy`. Requests go through the open clients of `connections` when it
    is given; otherwise each call opens and closes its own `httpx.AsyncClient`.
    Pass `transport` to route requests to a test double such as
    `httpx.MockTransport`; it is used only without `connections`.
    """

    def __init__(
        self,
        base_url: str | Sequence[str],
        token: str | None,
        timeout_seconds: float,
        transport: httpx.AsyncBaseTransport | None = None,
        action_server_urls: Sequence[str] = (),
        requests_per_server: int = 4,
        queue_seconds: float = 15.0,
        connections: RasaConnections | None = None,
    ) -> None:
        urls = [base_url] if isinstance(base_url, str) else list(base_url)
        if not urls:
            raise ValueError("RasaClient needs at least one Rasa server URL")
        if requests_per_server < 1:
            raise ValueError("requests_per_server must be at least 1")
        if action_server_urls and len(action_server_urls) != len(urls):
            raise ValueError(
                f"{len(urls)} Rasa servers but {len(action_server_urls)} action "
                "servers: give one action server URL per Rasa server, in order"
            )
        self.base_urls = [url.rstrip("/") for url in urls]
        self.action_server_urls = [url.rstrip("/") for url in action_server_urls]
        self.token = token
        self.timeout_seconds = timeout_seconds
        self.transport = transport
        self.requests_per_server = requests_per_server
        self.queue_seconds = queue_seconds
        self.connections = connections

    @property
    def base_url(self) -> str:
        """URL of the first Rasa server."""
        return self.base_urls[0]

    @classmethod
    def from_settings(cls, connections: RasaConnections | None = None) -> "RasaClient":
        """Build a client from `directory.settings.settings`."""
        return cls(
            base_url=settings.rasa_urls,
            token=settings.rasa_token,
            timeout_seconds=settings.rasa_timeout_seconds,
            action_server_urls=settings.action_server_urls,
            requests_per_server=settings.rasa_requests_per_server,
            queue_seconds=settings.rasa_queue_seconds,
            connections=connections,
        )

    async def parse(self, text: str) -> dict[str, Any]:
        """Run NLU on `text` with `POST /model/parse` and return the parse result."""
        body, _ = await self._request(
            "POST", "/model/parse", json={"text": text}, authenticated=True
        )
        if not isinstance(body, dict):
            raise RasaUnavailable(
                "POST /model/parse returned JSON that is not an object; "
                "check that the Rasa server runs Rasa 3.6"
            )
        return body

    async def send_message(
        self, conversation_id: str, text: str
    ) -> list[dict[str, Any]]:
        """Send a visitor message through the REST channel and return the bot turn."""
        return (await self.send_turn(conversation_id, text)).messages

    async def send_turn(
        self,
        conversation_id: str,
        text: str,
        metadata: dict[str, Any] | None = None,
    ) -> RasaTurn:
        """Send a visitor message through the REST channel and return the turn.

        `metadata` goes with the message, and Rasa keeps it in the tracker with
        the user event, where custom actions can read it.

        The message goes only to a Rasa server whose action server passes its
        health check. If a custom action of the turn still fails, Rasa reports
        it in the reply, and that action server is tried last for the next turns.
        Rasa's REST channel returns 200 with an empty list when something fails
        inside Rasa, and every turn of this bot sends at least one message, so an
        empty list raises `RasaUnavailable` like a transport failure does.
        """
        body, server = await self._request(
            "POST",
            "/webhooks/rest/webhook",
            json=_message_body(conversation_id, text, metadata),
            authenticated=False,
            needs_actions=True,
        )
        if not isinstance(body, list):
            raise RasaUnavailable(
                "POST /webhooks/rest/webhook returned JSON that is not a list; "
                "check that the REST channel is enabled in credentials.yml"
            )
        if not body:
            raise RasaUnavailable(
                "POST /webhooks/rest/webhook returned an empty list; "
                "check the Rasa server log for an error in this turn"
            )
        messages = [message for message in body if isinstance(message, dict)]
        if not any(map(_reports_failed_action, messages)):
            return RasaTurn(messages)

        logger.error(
            "A custom action of Rasa server %d of %d could not run in this turn",
            server + 1,
            len(self.base_urls),
        )
        if self.action_server_urls:
            _action_server_down_until[self.action_server_urls[server]] = (
                time.monotonic() + ACTION_SERVER_DOWN_SECONDS
            )
        return RasaTurn(messages, actions_available=False)

    async def delete_conversation(self, conversation_id: str) -> None:
        """Replace the events of a conversation's tracker with an empty list.

        The Rasa servers share one tracker store, so the first server that
        succeeds is enough. A server that fails or times out is followed by
        the next one, which is safe because replacing the events with an empty
        list a second time changes nothing.

        NOTE: Rasa 3.6 saves the replaced tracker with `TrackerStore.save`. The
        in-memory store and the project's Redis store (`tracker_store/`) drop
        the old events, but the SQL and Mongo tracker stores only append events
        beyond the number already stored, so with those stores the old events
        stay in the tracker store.

        Raises:
            RasaUnavailable: every server failed.
        """
        path = f"/conversations/{conversation_id}/tracker/events"
        failures = []
        for server in range(len(self.base_urls)):
            try:
                await self._request_one(server, "PUT", path, [], authenticated=True)
            except (_ConnectionRefused, RasaUnavailable) as exc:
                failures.append(f"server {server + 1}: {exc}")
                continue
            return
        raise RasaUnavailable(
            f"PUT {path} failed on every Rasa server ({'; '.join(failures)}); "
            f"check that Rasa is running at {', '.join(self.base_urls)}"
        )

    async def _request(
        self,
        method: str,
        path: str,
        json: Any,
        authenticated: bool,
        needs_actions: bool = False,
    ) -> tuple[Any, int]:
        """Send one request to a Rasa server that accepts the connection.

        Returns the decoded JSON body and the index of the server that replied.
        Only a failed connection moves on to the next server: once a request has
        been sent, trying again elsewhere could run the visitor's turn twice.
        With `needs_actions`, a server whose paired action server fails its
        health check is skipped before anything is sent to it: Rasa would run
        the turn without its custom actions and lose the form's progress.
        """
        skipped_for_actions = 0
        untried = self._servers_in_order()
        deadline = asyncio.get_running_loop().time() + self.queue_seconds
        while untried:
            async with self._place_on(untried, deadline) as server:
                untried.remove(server)
                if needs_actions and not await self._action_server_answers(server):
                    skipped_for_actions += 1
                    continue
                try:
                    body = await self._request_one(
                        server, method, path, json, authenticated
                    )
                except _ConnectionRefused as exc:
                    self._mark_rasa_server_down(server)
                    logger.warning(
                        "Rasa server %d of %d refused the connection (%s); "
                        "trying the next one",
                        server + 1,
                        len(self.base_urls),
                        exc,
                    )
                    continue
                except RasaUnavailable:
                    self._mark_rasa_server_down(server)
                    raise
                return body, server

        if skipped_for_actions == len(self.base_urls):
            raise RasaUnavailable(
                f"{method} {path} was not sent: no action server passed its "
                f"health check at {', '.join(self.action_server_urls)}"
            )
        raise RasaUnavailable(
            f"{method} {path} could not connect to any Rasa server; "
            f"check that Rasa is running at {', '.join(self.base_urls)}"
        )

    @asynccontextmanager
    async def _place_on(
        self, servers: list[int], deadline: float
    ) -> AsyncIterator[int]:
        """Hold a place on the least busy of `servers`, waiting while all are full.

        A server that failed lately, or whose action server failed its last
        health check, comes after the others. Among servers with equal numbers
        of requests in flight the earlier in `servers` wins. Raises `RasaBusy`
        when no place comes free before `deadline` (event loop time).
        """
        places = _places()
        loop = asyncio.get_running_loop()
        while True:
            free = [
                server
                for server in servers
                if places.in_flight[self.base_urls[server]] < self.requests_per_server
            ]
            if free:
                now = time.monotonic()
                server = min(
                    free,
                    key=lambda i: (
                        self._rasa_server_down(i, now),
                        self._action_server_down(i, now),
                        places.in_flight[self.base_urls[i]],
                    ),
                )
                break

            remaining = deadline - loop.time()
            if remaining <= 0:
                raise RasaBusy(
                    f"every Rasa server had {self.requests_per_server} "
                    f"requests in flight for {self.queue_seconds} s; "
                    "add Rasa servers or raise SOS_RASA_QUEUE_SECONDS"
                )
            waiter: asyncio.Future[None] = loop.create_future()
            places.waiting.append(waiter)
            try:
                await asyncio.wait({waiter}, timeout=remaining)
            finally:
                if not waiter.done():
                    waiter.cancel()
                    places.waiting.remove(waiter)

        url = self.base_urls[server]
        places.in_flight[url] += 1
        try:
            yield server
        finally:
            places.in_flight[url] -= 1
            places.wake_waiting()

    def _servers_in_order(self) -> list[int]:
        """Return server indexes, starting with the next in turn.

        Servers that failed lately, or whose action server failed its last
        health check, come last.
        """
        count = len(self.base_urls)
        start = next(_request_counter) % count
        order = [(start + offset) % count for offset in range(count)]
        now = time.monotonic()
        healthy = [
            i
            for i in order
            if not self._rasa_server_down(i, now)
            and not self._action_server_down(i, now)
        ]
        return healthy + [i for i in order if i not in healthy]

    def _rasa_server_down(self, server: int, now: float) -> bool:
        return _rasa_server_down_until.get(self.base_urls[server], 0.0) > now

    def _mark_rasa_server_down(self, server: int) -> None:
        _rasa_server_down_until[self.base_urls[server]] = (
            time.monotonic() + RASA_SERVER_DOWN_SECONDS
        )

    def _action_server_down(self, server: int, now: float) -> bool:
        if not self.action_server_urls:
            return False
        url = self.action_server_urls[server]
        return _action_server_down_until.get(url, 0.0) > now

    async def _action_server_answers(self, server: int) -> bool:
        """Check the health of the action server paired with `server`, if any."""
        if not self.action_server_urls:
            return True
        url = self.action_server_urls[server]
        try:
            async with self._client(url) as client:
                response = await client.get(
                    "/health", timeout=_timeout(ACTION_HEALTH_TIMEOUT_SECONDS)
                )
                healthy = response.is_success
        except httpx.TimeoutException:
            # A busy action server replies late but still runs the actions, and
            # taking it for a stopped one gave visitors the fallback under load.
            healthy = True
        except httpx.HTTPError:
            healthy = False

        if healthy:
            _action_server_down_until.pop(url, None)
        else:
            logger.error(
                "The action server paired with Rasa server %d of %d failed its "
                "health check",
                server + 1,
                len(self.base_urls),
            )
            _action_server_down_until[url] = (
                time.monotonic() + ACTION_SERVER_DOWN_SECONDS
            )
        return healthy

    async def _request_one(
        self, server: int, method: str, path: str, json: Any, authenticated: bool
    ) -> Any:
        """Send one request to one Rasa server and return the decoded JSON body."""
        base_url = self.base_urls[server]
        params = {"token": self.token} if authenticated and self.token else None

        try:
            async with self._client(base_url) as client:
                response = await client.request(
                    method,
                    path,
                    json=json,
                    params=params,
                    timeout=_timeout(self.timeout_seconds),
                )
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise _ConnectionRefused(type(exc).__name__) from exc
        except httpx.TimeoutException as exc:
            raise RasaUnavailable(
                f"{method} {path} timed out after {self.timeout_seconds} s; "
                f"check that Rasa is running at {base_url}"
            ) from exc
        except httpx.HTTPError as exc:
            raise RasaUnavailable(
                f"{method} {path} failed with {type(exc).__name__}; "
                f"check that Rasa is running at {base_url}"
            ) from exc

        return _decode_response(method, path, response)

    @asynccontextmanager
    async def _client(self, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
        """Yield the open client of `base_url`, or a new one closed afterwards."""
        if self.connections is not None:
            yield self.connections.client(base_url)
            return
        async with httpx.AsyncClient(
            base_url=base_url, transport=self.transport, verify=_tls_context
        ) as client:
            yield client


def _reports_failed_action(message: dict[str, Any]) -> bool:
    """Return whether a REST channel message reports a failed custom action."""
    custom = message.get("custom")
    return isinstance(custom, dict) and custom.get(ACTIONS_UNAVAILABLE) is True


def _timeout(seconds: float) -> httpx.Timeout:
    """Return a timeout of `seconds` whose connect part is at most a second."""
    return httpx.Timeout(seconds, connect=min(seconds, CONNECT_TIMEOUT_SECONDS))


class _ConnectionRefused(Exception):
    """A Rasa server did not accept the connection, so nothing was sent."""


def _decode_response(method: str, path: str, response: httpx.Response) -> Any:
    """Return the JSON body of a 2xx response, or raise `RasaUnavailable`."""
    if not response.is_success:
        raise RasaUnavailable(
            f"{method} {path} returned HTTP {response.status_code}; "
            "check the Rasa auth token and the Rasa server log"
        )

    try:
        return response.json()
    except ValueError as exc:
        raise RasaUnavailable(
            f"{method} {path} returned a body that is not JSON; "
            "check that the URL points at a Rasa server"
        ) from exc


async def get_rasa_client(request: Request) -> RasaClient:
    """Return a client configured from the settings (FastAPI dependency).

    It uses the open connections of the application's lifespan, where there
    are any. It is async only so that FastAPI runs it on the event loop
    instead of sending it to the thread pool: it does no I/O.
    """
    return RasaClient.from_settings(
        getattr(request.app.state, "rasa_connections", None)
    )
