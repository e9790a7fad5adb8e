"""Tell the channel when a custom action could not run.

Rasa 3.6 logs a custom action that fails, because the action server is
stopped, unreachable or returned an error status, and carries on with the turn
without it. The REST channel's reply then looks like any other, though it may
lack the routes that the action would have given. After the change, such a
failure also adds one message to the turn's output:

    {"recipient_id": "...", "custom": {"actions_unavailable": true}}

The chat gateway reads it to add the key routes to the reply, and to send the
next turns to another Rasa server while this one's action server is down. The
message is not an event, so it is neither kept in the tracker nor logged.

A form's rejection of a slot value (`ActionExecutionRejection`) is part of a
normal conversation and adds nothing.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Coroutine, List

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.events import Event

# The key of the custom message; directory/rasa_client.py reads the same key.
ACTIONS_UNAVAILABLE = "actions_unavailable"

RunMethod = Callable[..., Coroutine[Any, Any, List[Event]]]


def reporting_failures(run: RunMethod) -> RunMethod:
    """Wrap `RemoteAction.run` so that a failed call is reported to the channel."""

    @functools.wraps(run)
    async def run_and_report(
        self: RemoteAction,
        output_channel: Any,
        nlg: Any,
        tracker: Any,
        domain: Any,
    ) -> List[Event]:
        try:
            return await run(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except Exception:
            await output_channel.send_custom_json(
                tracker.sender_id, {ACTIONS_UNAVAILABLE: True}
            )
            raise

    return run_and_report


def install() -> None:
    """Make every RemoteAction tell the channel when its call fails."""
    if not getattr(RemoteAction.run, "reports_failures", False):
        wrapped = reporting_failures(RemoteAction.run)
        wrapped.reports_failures = True  # type: ignore[attr-defined]
        RemoteAction.run = wrapped  # type: ignore[method-assign]
