"""Score the situation model alone on a labelled set, without starting Rasa.

Fits the same model as the SituationClassifier component on the NLU training
data and prints micro-F1 for characteristics and incident types and urgency
recall and false alarms on the given set. Use it on the development set
(eval/dev.jsonl) while changing the model or the training data, and keep the
held-out set for the final figures.

Run with the Rasa environment from the repository root:

    .venvs/rasa/bin/python eval/tune_situation.py --file eval/dev.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Dict, List, Set

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402

from nlu.components.assessed import load_assessed, repository_path  # noqa: E402
from nlu.components.lexicon import Lexicon  # noqa: E402
from nlu.components.situation import (  # noqa: E402
    SituationClassifier,
    example_labels,
    load_encoder,
    predict_entities,
)
from nlu.components.situation_model import SituationModel  # noqa: E402


def micro_f1(expected: List[Set[str]], predicted: List[Set[str]]) -> Dict[str, float]:
    """Return micro precision, recall and F1 over paired label sets."""
    true_positives = sum(len(e & p) for e, p in zip(expected, predicted, strict=True))
    predicted_count = sum(len(p) for p in predicted)
    expected_count = sum(len(e) for e in expected)
    precision = true_positives / predicted_count if predicted_count else 0.0
    recall = true_positives / expected_count if expected_count else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def main() -> None:
    """Fit on the training data and print the figures for the chosen set."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default="eval/dev.jsonl", help="labelled JSONL set")
    parser.add_argument("--errors", action="store_true", help="print each error")
    defaults = SituationClassifier.get_default_config()
    parser.add_argument(
        "--assessed",
        default=defaults["assessed_examples"],
        help="folder of messages labelled whole",
    )
    parser.add_argument(
        "--assessed-weight",
        type=float,
        default=defaults["assessed_weight"],
        help="weight of a message labelled whole",
    )
    parser.add_argument(
        "--encoder",
        default="models/encoder",
        help="folder of the fine-tuned sentence encoder, or '' to go without it",
    )
    arguments = parser.parse_args()

    started = time.monotonic()
    training = load_data(str(REPO_ROOT / "nlu" / "data"))
    examples = [e for e in training.training_examples if e.get("text")]
    lexicon = Lexicon.from_lookup_tables(training.lookup_tables)
    extra = load_assessed(repository_path(arguments.assessed))
    model = SituationModel(
        lexicon.phrases,
        assessed_weight=arguments.assessed_weight,
        encoder=load_encoder(arguments.encoder),
        encoder_weight=defaults["encoder_weight"],
    ).fit(
        [e.get("text") for e in examples], [example_labels(e) for e in examples], extra
    )
    print(
        f"fitted on {len(examples)} annotated and {len(extra)} assessed examples "
        f"in {time.monotonic() - started:.0f} s"
    )

    rows = [json.loads(line) for line in Path(arguments.file).read_text().splitlines()]
    incidents = [row for row in rows if not row.get("expect_intent")]
    groups = {"characteristic": "characteristics", "incident_type": "incident_types"}
    expected: Dict[str, List[Set[str]]] = {group: [] for group in groups}
    predicted: Dict[str, List[Set[str]]] = {group: [] for group in groups}
    urgent_found = urgent_total = false_alarms = calm_total = 0

    for row in rows:
        entities = predict_entities(model, row["text"])
        values = {(e["entity"], e["value"]) for e in entities}
        urgent = any(group == "urgency" for group, _ in values)

        if row["urgent"]:
            urgent_total += 1
            urgent_found += urgent
        else:
            calm_total += 1
            false_alarms += urgent

        if row in incidents:
            for group, field in groups.items():
                got = {v for g, v in values if g == group and v != "none"}
                expected[group].append(set(row[field]))
                predicted[group].append(got)
                if arguments.errors and got != set(row[field]):
                    print(f"{row['id']} {group}: want {row[field]} got {sorted(got)}")

        if arguments.errors and urgent != row["urgent"]:
            print(f"{row['id']} urgency: want {row['urgent']} got {urgent}")

    for group in groups:
        scores = micro_f1(expected[group], predicted[group])
        print(
            f"{group:15} P {scores['precision']:.3f}  R {scores['recall']:.3f}  "
            f"F1 {scores['f1']:.3f}"
        )
    print(
        f"urgency recall {urgent_found}/{urgent_total}, "
        f"false alarms {false_alarms}/{calm_total}"
    )


if __name__ == "__main__":
    main()
