"""Run the custom action that Rasa calls after every message inside Rasa.

Rasa 3.6 calls `action_validate_slot_mappings` on the action server after the
slot extraction of every message: one HTTP request with the whole tracker,
which the action server decodes, before the assistant can pick its reply. The
action only merges the message's labels into the situation slots and sends
the 999 and crisis replies (`actions/situation.py`); it calls no other
service.

The replacement runs that same action class inside the Rasa server, through
rasa-sdk's own `ActionExecutor`, with the request Rasa would have sent. Its
response then goes through Rasa's own handling of action server responses:
the same check, the same replies, the same events. Every other custom action
still runs on the action server.

An exception in the action is logged by its type and place only, because its
message can quote the visitor, and Rasa then carries on as it does when the
action server fails.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, Callable, Coroutine, Dict, List, Type

from rasa.core.actions.action import RemoteAction
from rasa.shared.core import events
from rasa.shared.core.events import Event
from rasa.shared.exceptions import RasaException
from rasa_sdk import Action as SdkAction
from rasa_sdk.executor import ActionExecutor

from actions.situation import ActionValidateSlotMappings

logger = logging.getLogger(__name__)

# The actions that run inside Rasa, by name.
LOCAL_ACTIONS: Dict[str, Type[SdkAction]] = {
    "action_validate_slot_mappings": ActionValidateSlotMappings,
}

RunMethod = Callable[..., Coroutine[Any, Any, List[Event]]]

_executor: ActionExecutor | None = None


def executor() -> ActionExecutor:
    """Return the executor of the local actions, made on first use."""
    global _executor
    if _executor is None:
        _executor = ActionExecutor()
        for action_class in LOCAL_ACTIONS.values():
            _executor.register_action(action_class)
    return _executor


async def run_locally(
    action: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
) -> List[Event]:
    """Run `action` with rasa-sdk in this process, as the action server would."""
    request = action._action_call_format(tracker, domain)
    try:
        response = await executor().run(request)
    except Exception as exc:
        logger.error(
            "Custom action '%s' raised %s at %s",
            action.name(),
            type(exc).__name__,
            _place(exc),
        )
        raise RasaException(
            f"Failed to execute custom action '{action.name()}' in the Rasa server"
        ) from None
    if response is None:
        raise RasaException(f"Custom action '{action.name()}' returned nothing")

    action._validate_action_result(response)
    bot_messages = await action._utter_responses(
        response.get("responses", []), output_channel, nlg, tracker
    )
    return list(bot_messages) + events.deserialise_events(response.get("events", []))


def _place(exc: BaseException) -> str:
    """Return "file:line function" of the frame that raised `exc`."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "an unknown place"
    last = frames[-1]
    return f"{last.filename}:{last.lineno} {last.name}"


def running_local_actions(run: RunMethod) -> RunMethod:
    """Wrap `RemoteAction.run` so that the actions of `LOCAL_ACTIONS` run here."""

    async def run_here_or_remotely(
        self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
    ) -> List[Event]:
        if self.name() in LOCAL_ACTIONS:
            return await run_locally(self, output_channel, nlg, tracker, domain)
        return await run(self, output_channel, nlg, tracker, domain)

    run_here_or_remotely.runs_local_actions = True  # type: ignore[attr-defined]
    return run_here_or_remotely


def install() -> None:
    """Make RemoteAction run the actions of `LOCAL_ACTIONS` in this process.

    Install this before `action_failures`, so that a local action that fails
    is reported like a remote one.
    """
    if not getattr(RemoteAction.run, "runs_local_actions", False):
        RemoteAction.run = running_local_actions(RemoteAction.run)  # type: ignore[method-assign]
