"""Fixtures for action tests: recorded trackers and a directory service stand-in.

The directory service is the edge of the action server, so these tests answer
its HTTP calls with a small real server on 127.0.0.1 that returns recorded
signposting results. The actions themselves run unchanged.
"""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from aiohttp import web
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

TRACKER_DIR = Path(__file__).parent / "trackers"


def load_tracker(name: str) -> Tracker:
    """Load a recorded tracker from ``trackers/NAME.json``."""
    state = json.loads((TRACKER_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return Tracker.from_dict(state)


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


class DirectoryStandIn:
    """Records the situations posted to it and returns a fixed result."""

    def __init__(self) -> None:
        self.requests: List[Dict[str, Any]] = []
        self.result: Dict[str, Any] = json.loads(
            (TRACKER_DIR / "signpost_result.json").read_text(encoding="utf-8")
        )
        self.status = 200

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append(await request.json())
        return web.json_response(self.result, status=self.status)


@pytest.fixture
def directory(monkeypatch: pytest.MonkeyPatch) -> Iterator[DirectoryStandIn]:
    """Serve ``POST /api/signpost`` on a free loopback port for one test."""
    stand_in = DirectoryStandIn()
    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_post("/api/signpost", stand_in.handle)
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    monkeypatch.setattr(
        "actions.directory_client.DIRECTORY_URL", f"http://127.0.0.1:{port}"
    )
    yield stand_in

    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
