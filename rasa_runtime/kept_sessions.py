"""Keep one HTTP client session per endpoint, so that connections are reused.

Rasa 3.6 opens a new aiohttp `ClientSession` for every request to an endpoint,
so every custom action call connects to the action server again, and the
action server sets up a new connection for it. A chat turn calls the action
server once or twice.

The replacement gives each endpoint one session per event loop, with the same
headers, authentication and timeout as Rasa's, kept open between requests.
It closes a connection after 2 s idle, before Sanic, which serves rasa-sdk,
closes it at 5 s: a request sent on a connection the server is closing at
that moment would fail. The sessions close when the Rasa server stops.
"""

from __future__ import annotations

import asyncio
import weakref
from types import TracebackType
from typing import Any, Optional, Type

import aiohttp
import rasa.core.run
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.utils.endpoints import EndpointConfig

KEEPALIVE_SECONDS = 2.0
KEPT_SESSION = "_kept_session"

# Every kept session, to close them when the server stops. An endpoint that is
# dropped takes its session with it.
_open_sessions: weakref.WeakSet[aiohttp.ClientSession] = weakref.WeakSet()


class KeptSession:
    """Hands out the endpoint's open session in `async with` and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        return None


def kept_session(self: EndpointConfig) -> KeptSession:
    """Return the endpoint's session for this event loop, opened on first use."""
    loop = asyncio.get_running_loop()
    kept = self.__dict__.get(KEPT_SESSION)
    if kept is None or kept[0] is not loop or kept[1].closed:
        auth = None
        if self.basic_auth:
            auth = aiohttp.BasicAuth(
                self.basic_auth["username"], self.basic_auth["password"]
            )
        session = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
        )
        kept = self.__dict__[KEPT_SESSION] = (loop, session)
        _open_sessions.add(session)
    return KeptSession(kept[1])


async def close_sessions() -> None:
    """Close every kept session of the running event loop."""
    loop = asyncio.get_running_loop()
    for session in list(_open_sessions):
        if session._loop is loop:
            await session.close()
            _open_sessions.discard(session)


def closing_sessions_too(close_resources: Any) -> Any:
    """Wrap Rasa's listener that closes resources when the server stops."""

    async def close_resources_and_sessions(*args: Any, **kwargs: Any) -> None:
        try:
            await close_resources(*args, **kwargs)
        finally:
            await close_sessions()

    close_resources_and_sessions.closes_sessions = True  # type: ignore[attr-defined]
    return close_resources_and_sessions


def install() -> None:
    """Make every endpoint keep its session; close them all when Rasa stops."""
    EndpointConfig.session = kept_session  # type: ignore[assignment]
    if not getattr(rasa.core.run.close_resources, "closes_sessions", False):
        rasa.core.run.close_resources = closing_sessions_too(
            rasa.core.run.close_resources
        )
