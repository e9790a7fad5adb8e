"""A failing custom action must not write what the visitor typed to var/log,
and the visitor still gets the key routes.

The stack's action server is restarted with a test package in which the action
that gives the routes raises an exception quoting the visitor's message.
rasa_sdk logs that exception with its traceback, and Rasa logs the HTTP 500
reply, which carries the whole tracker. The people and street are invented.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from directory.gateway.content import get_wording
from stack.launcher import LOG_DIR, Stack, parse_process_name
from tests.stack.conftest import Conversation, joined

FAILING_ACTIONS_PACKAGE = "tests.stack.failing_actions"


@pytest.fixture
def failing_action_server(stack: Stack) -> Iterator[None]:
    """Run the stack's action server with the failing package, then restore it."""
    original_command = stack._command

    def command(name: str) -> list[str]:
        argv = original_command(name)
        if parse_process_name(name)[0] == "actions":
            argv[argv.index("--actions") + 1] = FAILING_ACTIONS_PACKAGE
        return argv

    stack.stop_process("actions")
    stack._command = command  # type: ignore[method-assign]
    try:
        stack.start_process("actions")
        yield
    finally:
        stack.stop_process("actions")
        del stack._command  # type: ignore[attr-defined]
        stack.start_process("actions")


def log_sizes() -> dict[Path, int]:
    return {path: path.stat().st_size for path in LOG_DIR.glob("*.log")}


def written_since(sizes: dict[Path, int]) -> dict[str, str]:
    """Return, by file name, what each log file gained after `sizes` was taken."""
    written = {}
    for path in LOG_DIR.glob("*.log"):
        with path.open("rb") as log_file:
            log_file.seek(sizes.get(path, 0))
            written[path.name] = log_file.read().decode("utf-8", "replace")
    return written


def test_failed_action_leaves_no_text_in_logs(
    stack: Stack, failing_action_server: None
) -> None:
    # A fresh surname each run, so that text left by an earlier run cannot
    # make this run fail or pass.
    surname = "Quarrendon" + secrets.token_hex(3)
    street = "Marlpit Wynd"
    sizes = log_sizes()

    with httpx.Client(base_url=stack.directory_url, timeout=60.0) as client:
        conversation = Conversation(client)
        conversation.say(
            f"my neighbour Tamsin {surname} from {street} in wigston called me a p*ki"
        )
        conversation.press("No")

    written = written_since(sizes)
    action_log = written.get("actions.log", "")
    # The action really failed, and the record still names the exception type
    # and the file where it was raised.
    assert "RuntimeError at " in action_log
    assert "failing_actions.py" in action_log
    for name, text in written.items():
        assert surname not in text, f"{name} contains the planted surname"
        assert street not in text, f"{name} contains the planted street"
        assert "Could not find routes" not in text, (
            f"{name} contains the exception message"
        )


def test_failed_action_adds_key_routes(
    stack: Stack, failing_action_server: None
) -> None:
    with httpx.Client(base_url=stack.directory_url, timeout=60.0) as client:
        conversation = Conversation(client)
        conversation.say("a man on the bus in oadby called my friend Oluwaseun a slur")
        messages = conversation.press("No")

    # Rasa reports the failed call in its reply, so the gateway can tell that the
    # routes are missing although the action server is still running.
    assert messages[-1]["text"] == get_wording().actions_unavailable
    assert "actions_unavailable" not in joined(messages)
