"""Time the situation classifier with and without its sentence encoder.

Loads the trained situation model from models/assistant.tar.gz and labels the
same invented messages twice in one run: as trained, with the fine-tuned
encoder's probabilities averaged in, and with the encoder switched off. It
prints the milliseconds per message of each and their ratio, and the size of
the pickled model with and without the encoder.

Run in Rasa's environment after `make train`:
`.venvs/rasa/bin/python bench/situation_encoder.py`.
"""

from __future__ import annotations

import copy
import io
import os
import pickle
import sys
import tarfile
from datetime import datetime, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import joblib  # noqa: E402

from bench.timing import milliseconds_per_call  # noqa: E402
from nlu.components.situation import MODEL_FILE, predict_entities  # noqa: E402

MODEL_ARCHIVE = REPO_ROOT / "models" / "assistant.tar.gz"
ROUNDS = 20
MESSAGES = [
    "someone spat at me on the bus because im jewish",
    "my neighbour keeps leaving notes about my wheelchair on my car",
    "two lads shouted homophobic stuff at me and my boyfriend outside the pub "
    "last night, one of them threw a bottle",
    "hi",
    "they wrote go home on our shop window and smashed the door",
]


def load_model(archive: Path) -> object:
    """Return the situation model stored in the Rasa model archive."""
    with tarfile.open(archive) as model_archive:
        member = next(
            m for m in model_archive.getmembers() if m.name.endswith(MODEL_FILE)
        )
        extracted = model_archive.extractfile(member)
        if extracted is None:
            raise FileNotFoundError(f"{MODEL_FILE} not found in {archive}")
        return joblib.load(io.BytesIO(extracted.read()))


def label_all(model: object) -> None:
    """Label every message once."""
    for message in MESSAGES:
        predict_entities(model, message)  # type: ignore[arg-type]


def main() -> int:
    """Print the timings and sizes."""
    if not MODEL_ARCHIVE.exists():
        print(f"{MODEL_ARCHIVE} not found: run make train first")
        return 1
    with_encoder = load_model(MODEL_ARCHIVE)
    if getattr(with_encoder, "encoder", None) is None:
        print("The trained situation model has no encoder: run make train first")
        return 1
    without_encoder = copy.copy(with_encoder)
    without_encoder.encoder = None  # type: ignore[attr-defined]

    encoded = milliseconds_per_call(lambda: label_all(with_encoder), ROUNDS)
    plain = milliseconds_per_call(lambda: label_all(without_encoder), ROUNDS)
    message_count = len(MESSAGES)

    print(f"date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    print(f"{message_count} messages, {ROUNDS} rounds each")
    print(f"with the encoder:    {encoded / message_count:8.2f} ms per message")
    print(f"without the encoder: {plain / message_count:8.2f} ms per message")
    print(f"ratio: {encoded / plain:.1f}")
    print(
        f"pickled model: {len(pickle.dumps(with_encoder)) / 1e6:.0f} MB with the "
        f"encoder, {len(pickle.dumps(without_encoder)) / 1e6:.0f} MB without"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
