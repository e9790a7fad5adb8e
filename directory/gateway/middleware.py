"""ASGI middleware of the chat gateway: request body limit and CORS."""

import json
import logging

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from directory.gateway.content import get_wording
from directory.settings import settings

logger = logging.getLogger(__name__)

CHAT_PATH_PREFIX = "/api/chat/"
# The event broker's path, which carries Rasa's events rather than visitor input.
LOG_INGEST_PATH = "/api/logs/events"


class BodySizeLimitMiddleware:
    """Reject requests whose body exceeds `max_body_bytes` with a JSON 413 response.

    A declared `Content-Length` above the limit is rejected before any body is
    read. Otherwise the body is read in full, counting the bytes of every chunk
    (which also covers chunked uploads without `Content-Length`), and is then
    passed on to the app. At most `max_body_bytes` bytes are held in memory.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        message: str,
        path_limits: dict[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.message = message
        # Limits of their own for the paths named here, exactly.
        self.path_limits = path_limits or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        limit = self.path_limits.get(scope.get("path", ""), self.max_body_bytes)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await self._reject(scope, send, declared, limit)
            return

        body = await self._read_body(receive, limit)
        if body is None:
            await self._reject(scope, send, declared, limit)
            return

        await self.app(scope, _replay(body, receive), send)

    async def _read_body(self, receive: Receive, limit: int) -> bytes | None:
        """Read the whole body, or return None once it exceeds `limit` bytes."""
        chunks: list[bytes] = []
        size = 0
        more_body = True

        while more_body:
            message = await receive()
            if message["type"] != "http.request":
                break

            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None

            chunks.append(chunk)
            more_body = message.get("more_body", False)

        return b"".join(chunks)

    async def _reject(
        self, scope: Scope, send: Send, declared: int | None, limit: int
    ) -> None:
        """Send a 413 response whose JSON `detail` a visitor can read."""
        logger.info(
            "Rejected a request body over %s bytes on %s %s (Content-Length %s)",
            limit,
            scope.get("method"),
            scope.get("path"),
            declared,
        )

        body = json.dumps({"detail": self.message}).encode("utf-8")
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode("ascii")),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _declared_length(scope: Scope) -> int | None:
    """Return the request's Content-Length, or None if it is missing or invalid."""
    value = Headers(scope=scope).get("content-length")
    if value is None or not (value.isascii() and value.isdigit()):
        return None
    return int(value)


def _replay(body: bytes, receive: Receive) -> Receive:
    """Return a `receive` that yields `body` once, then defers to `receive`."""
    sent = False

    async def replay_receive() -> Message:
        nonlocal sent
        if sent:
            return await receive()

        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay_receive


class ChatCORSMiddleware:
    """Apply CORS for `allowed_origins` to chat API paths only.

    Requests to other paths pass through without CORS headers, so browsers on
    other origins can call the chat API but not the rest of the service.
    """

    def __init__(self, app: ASGIApp, allowed_origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=allowed_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Content-Type"],
            # The widget reads Retry-After of a 429 to say how long to wait.
            expose_headers=["Retry-After"],
            allow_credentials=False,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(CHAT_PATH_PREFIX):
            await self.cors(scope, receive, send)
            return

        await self.app(scope, receive, send)


def _origins_list(origins: list[str] | str) -> list[str]:
    """Accept the allowed origins as a list or as a comma-separated string."""
    if isinstance(origins, str):
        return [origin.strip() for origin in origins.split(",") if origin.strip()]
    return list(origins)


def install_gateway_middleware(app: FastAPI) -> None:
    """Add the body size limit and the chat CORS policy to `app`.

    Call this once when building the app. Loading the wording here makes a
    broken `content/gateway.yml` fail at start-up instead of on a visitor's turn.
    """
    wording = get_wording()

    # Starlette runs the middleware added last first. CORS goes outside the body
    # limit so that a browser on an allowed origin can read the 413 body.
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        message=wording.body_too_large,
        path_limits={LOG_INGEST_PATH: settings.log_ingest_max_body_bytes},
    )
    app.add_middleware(
        ChatCORSMiddleware, allowed_origins=_origins_list(settings.allowed_origins)
    )
