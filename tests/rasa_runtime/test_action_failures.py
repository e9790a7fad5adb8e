"""Rasa's report of a custom action that could not run, against a loopback
action server played by aiohttp."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from rasa_runtime import action_failures

SENDER = "5d1f0c2a-7b3e-4c9d-8a6f-0e1d2c3b4a59"
FAILED = {"recipient_id": SENDER, "custom": {"actions_unavailable": True}}

Handler = Callable[[web.Request], Awaitable[web.Response]]


async def answered(request: web.Request) -> web.Response:
    return web.json_response({"events": [], "responses": [{"text": "Done."}]})


async def raised(request: web.Request) -> web.Response:
    return web.json_response({"error": "the action raised"}, status=500)


async def rejected(request: web.Request) -> web.Response:
    return web.json_response(
        {"action_name": "action_explain_and_signpost", "error": "not this slot"},
        status=400,
    )


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_action(handler: Handler | None) -> tuple[Any, list[dict[str, Any]]]:
    """Run one RemoteAction against `handler`, or a closed port for None.

    Returns what the run returned or raised, and what the channel collected.
    """
    action_failures.install()
    channel = CollectingOutputChannel()

    async def main() -> Any:
        runner = None
        port = unused_port()
        if handler is not None:
            app = web.Application()
            app.router.add_post("/webhook", handler)
            runner = web.AppRunner(app)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            action = RemoteAction(
                "action_explain_and_signpost",
                EndpointConfig(f"http://127.0.0.1:{port}/webhook"),
            )
            domain = Domain.empty()
            return await action.run(
                channel,
                TemplatedNaturalLanguageGenerator(domain.responses),
                DialogueStateTracker(SENDER, slots=[]),
                domain,
            )
        except Exception as exc:  # noqa: BLE001 (the test inspects it)
            return exc
        finally:
            if runner is not None:
                await runner.cleanup()

    outcome = asyncio.run(main())
    return outcome, channel.messages


def test_action_that_ran_adds_nothing() -> None:
    outcome, messages = run_action(answered)

    assert not isinstance(outcome, Exception)
    assert FAILED not in messages


def test_action_server_error_is_reported() -> None:
    outcome, messages = run_action(raised)

    assert isinstance(outcome, RasaException)
    assert messages == [FAILED]


def test_stopped_action_server_is_reported() -> None:
    outcome, messages = run_action(None)

    assert isinstance(outcome, RasaException)
    assert messages == [FAILED]


def test_rejected_slot_value_is_not_reported() -> None:
    outcome, messages = run_action(rejected)

    assert isinstance(outcome, ActionExecutionRejection)
    assert messages == []


def test_install_twice_wraps_once() -> None:
    action_failures.install()
    wrapped = RemoteAction.run

    action_failures.install()

    assert RemoteAction.run is wrapped


@pytest.fixture(autouse=True)
def quiet_rasa_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("CRITICAL", logger="rasa")
