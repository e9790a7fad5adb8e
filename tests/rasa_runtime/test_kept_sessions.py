"""Requests to a Rasa endpoint with the sessions that `kept_sessions` keeps,
against a loopback server played by aiohttp."""

from __future__ import annotations

import asyncio
from typing import Any, List

import pytest
import rasa.core.run
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from rasa_runtime import kept_sessions


class PeerRecorder:
    """Returns 200 to every POST and records the client port it came from."""

    def __init__(self) -> None:
        self.ports: List[int] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/webhook", self.answer)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/webhook"

    async def answer(self, request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peername")  # type: ignore[union-attr]
        self.ports.append(peer[1])
        return web.json_response({"events": [], "responses": []})

    async def stop(self) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


def requests_through(endpoint_count: int, calls: int) -> tuple[PeerRecorder, Any]:
    """Send `calls` requests through each of `endpoint_count` endpoints.

    Returns the recorder and the kept sessions, closed afterwards.
    """
    kept_sessions.install()
    recorder = PeerRecorder()

    async def main() -> Any:
        await recorder.start()
        try:
            endpoints = [EndpointConfig(recorder.url) for _ in range(endpoint_count)]
            for endpoint in endpoints:
                for _ in range(calls):
                    await endpoint.request(json={"next_action": "action_x"})
            sessions = [
                endpoint.__dict__[kept_sessions.KEPT_SESSION][1]
                for endpoint in endpoints
            ]
            await kept_sessions.close_sessions()
            return sessions
        finally:
            await recorder.stop()

    return recorder, asyncio.run(main())


def test_endpoint_reuses_its_connection() -> None:
    recorder, sessions = requests_through(endpoint_count=1, calls=3)

    assert len(recorder.ports) == 3
    assert len(set(recorder.ports)) == 1
    assert all(session.closed for session in sessions)


def test_endpoints_keep_separate_sessions() -> None:
    recorder, sessions = requests_through(endpoint_count=2, calls=2)

    assert len(set(recorder.ports)) == 2
    assert sessions[0] is not sessions[1]


def test_sessions_close_when_rasa_stops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    closed: list[str] = []

    async def close_resources(app: Any, loop: Any) -> None:
        closed.append("resources")

    monkeypatch.setattr(rasa.core.run, "close_resources", close_resources)
    kept_sessions.install()
    endpoint = EndpointConfig("http://127.0.0.1:9/webhook")

    async def main() -> Any:
        async with endpoint.session() as session:
            pass
        await rasa.core.run.close_resources(None, asyncio.get_running_loop())
        return session

    session = asyncio.run(main())

    assert closed == ["resources"]
    assert session.closed
