"""Write the training messages of the sentence encoder as JSON lines.

The encoder is fine-tuned in its own environment, which has PyTorch but not
Rasa. This script runs in the Rasa environment, reads the NLU training data
and the messages labelled whole, and writes one row per message with its
characteristic and incident type labels and its weight:

    .venvs/rasa/bin/python -m nlu.encoder.export --out models/encoder/training.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Dict, List

from rasa.shared.nlu.training_data.loading import load_data

from nlu.components.assessed import load_assessed, repository_path
from nlu.components.situation import SituationClassifier, example_labels

REPO_ROOT = Path(__file__).resolve().parents[2]
# The label groups the encoder learns. The other groups are left to the
# situation classifier's own features and cue phrases.
ENCODER_GROUPS = ("characteristic", "incident_type")


def training_rows(data: Path, assessed: Path, assessed_weight: float) -> List[Dict]:
    """Return one row per training message: text, labels and weight."""
    training = load_data(str(data))
    rows = []

    for example in training.training_examples:
        if not example.get("text"):
            continue
        labels = example_labels(example)
        rows.append(
            {
                "text": example.get("text"),
                "labels": sorted(f"{g}:{v}" for g, v in labels if g in ENCODER_GROUPS),
                "weight": 1.0,
            }
        )

    for message in load_assessed(assessed):
        rows.append(
            {
                "text": message.text,
                "labels": sorted(
                    f"{g}:{v}" for g, v in message.labels if g in ENCODER_GROUPS
                ),
                "weight": assessed_weight,
            }
        )

    return rows


def main() -> None:
    """Write the rows to the file given with ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="JSON lines file to write")
    arguments = parser.parse_args()

    defaults = SituationClassifier.get_default_config()
    rows = training_rows(
        REPO_ROOT / "nlu" / "data",
        repository_path(defaults["assessed_examples"]),
        defaults["assessed_weight"],
    )
    out = Path(arguments.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    print(f"Wrote {len(rows)} training messages to {out}")


if __name__ == "__main__":
    main()
