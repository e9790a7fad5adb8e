"""The kept validator of action server responses, in Rasa's environment."""

from __future__ import annotations

import subprocess
import sys

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from rasa_runtime import validation

VALID_RESPONSE = {
    "events": [{"event": "slot", "name": "area", "value": "charnwood"}],
    "responses": [{"text": "Charnwood Borough Council Community Safety Team: ..."}],
}


@pytest.fixture
def action() -> RemoteAction:
    validation.install()
    return RemoteAction("action_explain_and_signpost", EndpointConfig("http://x"))


def test_valid_response_passes(action: RemoteAction) -> None:
    assert action._validate_action_result(VALID_RESPONSE) is True


def test_event_without_its_name_is_rejected(action: RemoteAction) -> None:
    response = {"events": [{"name": "area", "value": "charnwood"}], "responses": []}

    with pytest.raises(ValidationError, match="Failed to validate Action server"):
        action._validate_action_result(response)


def test_responses_that_are_not_a_list_are_rejected(action: RemoteAction) -> None:
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": [], "responses": "hello"})


def test_validator_is_built_once() -> None:
    assert validation.response_validator() is validation.response_validator()


def test_command_line_runs_rasa() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rasa_runtime", "--version"],
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0
    assert "Rasa Version      :         3.6.21" in result.stdout
