"""Time Rasa's check of an action server response, as shipped and as fixed.

Rasa 3.6 validates each response of the action server with
`jsonschema.validate`, which checks the schema against its meta-schema and
builds a validator on every call. `rasa_runtime.validation` keeps one
validator. This script times both on the same response, in the same run, and
prints the milliseconds per check and their ratio.

Run in Rasa's environment: `.venvs/rasa/bin/python bench/action_response_check.py`.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import jsonschema  # noqa: E402
from rasa.core.actions.action import RemoteAction  # noqa: E402

from bench.timing import milliseconds_per_call  # noqa: E402
from rasa_runtime.validation import response_validator  # noqa: E402

ROUNDS = 50
# A response like the signposting action's: slot events and routes.
RESPONSE = {
    "events": [
        {"event": "slot", "timestamp": None, "name": name, "value": value}
        for name, value in (
            ("area", "charnwood"),
            ("characteristics", ["religion"]),
            ("incident_types", ["criminal_damage"]),
            ("urgent", False),
            ("likely", "crime"),
        )
    ],
    "responses": [
        {"text": f"Route {number}: how to reach it.", "buttons": []}
        for number in range(8)
    ],
}


def main() -> int:
    schema = RemoteAction.action_response_format_spec()
    validator = response_validator()
    shipped = milliseconds_per_call(
        lambda: jsonschema.validate(RESPONSE, schema), ROUNDS
    )
    kept = milliseconds_per_call(lambda: validator.validate(RESPONSE), ROUNDS)

    print(f"date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    print(f"jsonschema {version('jsonschema')}, {ROUNDS} checks each")
    print(f"jsonschema.validate (as Rasa 3.6 ships): {shipped:8.2f} ms per check")
    print(f"kept validator (rasa_runtime):           {kept:8.2f} ms per check")
    print(f"ratio: {shipped / kept:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
