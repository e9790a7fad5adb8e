"""A fake Rasa 3.6 server on 127.0.0.1 for the gateway and assessment tests.

It serves the three endpoints the directory service calls, and an action
server's `/health` so that one fake can play both. It records every request
and can be configured to delay, fail or reply with chosen bodies.
"""

import asyncio
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

FAKE_TOKEN = "fake-rasa-token"
DEFAULT_REPLY: list[dict[str, Any]] = [
    {"recipient_id": "someone", "text": "I'm sorry that happened to you."}
]
DEFAULT_PARSE: dict[str, Any] = {
    "text": "",
    "intent": {"name": "greet", "confidence": 0.93},
    "entities": [],
}


@dataclass
class RecordedRequest:
    """One request that reached the fake server."""

    method: str
    path: str
    token: str | None
    body: Any
    # The port the client connected from. Two requests from one port shared
    # one connection.
    client_port: int | None = None


@dataclass
class FakeRasa:
    """Behaviour and request log of the fake Rasa server."""

    base_url: str = ""
    webhook_reply: Any = field(default_factory=lambda: list(DEFAULT_REPLY))
    parse_reply: Any = field(default_factory=lambda: dict(DEFAULT_PARSE))
    status_code: int = 200
    health_status_code: int = 200
    delay_seconds: float = 0.0
    requests: list[RecordedRequest] = field(default_factory=list)

    def reset(self) -> None:
        """Restore the default replies and forget recorded requests."""
        self.webhook_reply = list(DEFAULT_REPLY)
        self.parse_reply = dict(DEFAULT_PARSE)
        self.status_code = 200
        self.health_status_code = 200
        self.delay_seconds = 0.0
        self.requests.clear()

    def requests_to(self, path_start: str) -> list[RecordedRequest]:
        """Return the recorded requests whose path starts with `path_start`."""
        return [
            request for request in self.requests if request.path.startswith(path_start)
        ]

    def messages_sent(self) -> list[str]:
        """Return the `message` of every REST channel request, in order."""
        return [request.body["message"] for request in self.requests_to("/webhooks/")]


def build_app(fake: FakeRasa) -> Starlette:
    """Build the Starlette app that plays the Rasa server."""

    async def record_and_reply(request: Request, reply: Any) -> JSONResponse:
        body = await request.json()
        fake.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.url.path,
                token=request.query_params.get("token"),
                body=body,
                client_port=request.client.port if request.client else None,
            )
        )
        if fake.delay_seconds:
            await asyncio.sleep(fake.delay_seconds)
        return JSONResponse(reply, status_code=fake.status_code)

    async def webhook(request: Request) -> JSONResponse:
        return await record_and_reply(request, fake.webhook_reply)

    async def parse(request: Request) -> JSONResponse:
        if request.query_params.get("token") != FAKE_TOKEN:
            return JSONResponse({"message": "unauthorized"}, status_code=401)
        return await record_and_reply(request, fake.parse_reply)

    async def replace_events(request: Request) -> JSONResponse:
        if request.query_params.get("token") != FAKE_TOKEN:
            return JSONResponse({"message": "unauthorized"}, status_code=401)
        return await record_and_reply(request, {"events": []})

    async def health(request: Request) -> JSONResponse:
        fake.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.url.path,
                token=None,
                body=None,
                client_port=request.client.port if request.client else None,
            )
        )
        return JSONResponse({"status": "ok"}, status_code=fake.health_status_code)

    return Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/webhooks/rest/webhook", webhook, methods=["POST"]),
            Route("/model/parse", parse, methods=["POST"]),
            Route(
                "/conversations/{conversation_id}/tracker/events",
                replace_events,
                methods=["PUT"],
            ),
        ]
    )


class ServerThread:
    """Uvicorn serving an ASGI app on 127.0.0.1 and a free port, in a thread."""

    def __init__(self, app: Starlette) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def start(self) -> None:
        """Start serving and wait up to 10 seconds for the server to be ready."""
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("The fake Rasa server did not start within 10 s")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


def unused_port() -> int:
    """Return a loopback port that nothing listens on at the moment of the call."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
