"""The slot action that `local_actions` runs inside Rasa, with the project's
domain. The action server's address is a closed port, so any call that went
there would fail."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from rasa_runtime import local_actions

DOMAIN_PATH = Path(__file__).resolve().parents[2] / "bot" / "domain"
SENDER = "3c9e7a51-2f4b-4d0e-9b6a-8e1f2a3b4c5d"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(DOMAIN_PATH))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_action(
    name: str, domain: Domain, entities: Optional[List[Dict[str, Any]]] = None
) -> Any:
    """Run the named action after one message; return its events or exception."""
    local_actions.install()
    endpoint = EndpointConfig(f"http://127.0.0.1:{closed_port()}/webhook")
    tracker = DialogueStateTracker.from_events(
        SENDER,
        [
            UserUttered(
                "recorded text replaced by the test",
                intent={"name": "describe_incident", "confidence": 0.9},
                entities=entities or [],
            )
        ],
        slots=domain.slots,
    )

    async def main() -> Any:
        try:
            return await RemoteAction(name, endpoint).run(
                CollectingOutputChannel(),
                TemplatedNaturalLanguageGenerator(domain.responses),
                tracker,
                domain,
            )
        except Exception as exc:  # noqa: BLE001 (the test inspects it)
            return exc

    return asyncio.run(main())


def entity(name: str, value: str) -> Dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": 1}


def test_slot_action_runs_in_rasa(domain: Domain) -> None:
    events = run_action(
        "action_validate_slot_mappings",
        domain,
        [entity("urgency", "danger_now"), entity("area", "oadby_and_wigston")],
    )

    assert not isinstance(events, Exception)
    replies = [event for event in events if isinstance(event, BotUttered)]
    assert len(replies) == 1
    assert "999" in (replies[0].text or "")
    assert SlotSet("area", "oadby_and_wigston") in events
    assert SlotSet("danger_now", "yes") in events
    assert SlotSet("danger_warned", True) in events


def test_message_without_labels_changes_nothing(domain: Domain) -> None:
    events = run_action("action_validate_slot_mappings", domain)

    assert events == []


def test_other_actions_go_to_action_server(domain: Domain) -> None:
    outcome = run_action("action_explain_and_signpost", domain)

    assert isinstance(outcome, RasaException)
    assert "Couldn't connect" in str(outcome)


class RaisingAction(Action):
    """Raises with a message that quotes an invented visitor."""

    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[Dict[str, Any]]:
        raise ValueError("Could not read what Priyanka Oduya said")


def test_failing_action_logs_no_message(
    domain: Domain,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(local_actions, "_executor", None)
    monkeypatch.setitem(
        local_actions.LOCAL_ACTIONS, "action_validate_slot_mappings", RaisingAction
    )
    caplog.set_level(logging.ERROR, logger=local_actions.__name__)

    outcome = run_action("action_validate_slot_mappings", domain)
    monkeypatch.setattr(local_actions, "_executor", None)

    assert isinstance(outcome, RasaException)
    assert outcome.__cause__ is None
    assert "Priyanka" not in str(outcome)
    logged = caplog.text
    assert "ValueError at " in logged
    assert "test_local_actions.py" in logged
    assert "Priyanka" not in logged


def test_events_are_rasa_events(domain: Domain) -> None:
    events = run_action(
        "action_validate_slot_mappings", domain, [entity("incident_type", "threats")]
    )

    assert all(isinstance(event, Event) for event in events)
    assert SlotSet("incident_types", ["threats"]) in events
