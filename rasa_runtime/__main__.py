"""Rasa's command line with the assistant's fixes applied first.

``python -m rasa_runtime run --model ...`` takes the same arguments as
``rasa run``. Each module of this package describes what it changes in
Rasa 3.6 and why.
"""

import sys

from rasa.__main__ import main

from rasa_runtime import event_types, validation

if __name__ == "__main__":
    event_types.install()
    validation.install()
    sys.exit(main())
