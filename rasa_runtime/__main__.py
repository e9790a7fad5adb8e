"""Rasa's command line with the assistant's fixes applied first.

``python -m rasa_runtime run --model ...`` takes the same arguments as
``rasa run``. Each module of this package describes what it changes in
Rasa 3.6 and why.
"""

import sys

from rasa.__main__ import main

from rasa_runtime import (
    action_failures,
    event_types,
    graph_runs,
    kept_sessions,
    local_actions,
    validation,
)

if __name__ == "__main__":
    # Local actions first, so that the report of failed actions covers them.
    local_actions.install()
    action_failures.install()
    event_types.install()
    graph_runs.install()
    kept_sessions.install()
    validation.install()
    sys.exit(main())
