"""Compare the labels of an evaluation set with a second reader's labels.

A second annotator labelled every message of the evaluation sets again,
reading only the text and the label scheme. Their labels sit in
``eval/second_reading/`` under the set's file name, one JSON object a line
with the fields of the scheme but no text. This script prints how far the two
readers agree, in the same measures that ``evaluate.py`` applies to the
assistant: micro-F1 and per-label F1 for characteristics and incident types
over incident lines, the urgent messages each reader found, and agreement on
area, the crime/incident reading, the role and the question intents. The
agreement of two careful readers is a rough upper bound on how well a model
can match either of them.

Run from the repository root:

    .venvs/service/bin/python eval/agreement.py --file eval/heldout.jsonl
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate import (  # noqa: E402
    CHARACTERISTICS,
    INCIDENT_TYPES,
    Case,
    MultiLabelReport,
    load_cases,
    load_other_labels,
    score_multilabel,
)

SECOND_READING = Path(__file__).resolve().parent / "second_reading"


@dataclass(frozen=True)
class Agreement:
    """Agreement counts and scores of the second reader's labels against the first."""

    incidents: int
    characteristics: MultiLabelReport
    incident_types: MultiLabelReport
    urgent_first: int
    urgent_second: int
    urgent_both: int
    area_same: int
    likely_same: int
    role_same: int
    questions: int
    intent_same: int
    lines: int


def second_reading_path(first: Path) -> Path:
    """Return the second reader's file for an evaluation set."""
    return SECOND_READING / first.name


def compare(first: Sequence[Case], second: Sequence[Case]) -> Agreement:
    """Measure agreement, taking the first reader's labels as the reference.

    The multi-label scores cover the lines that the first reader labelled as
    incidents, as in ``evaluate.py``. A missing role means the victim.
    """
    pairs = list(zip(first, second, strict=True))
    incidents = [(a, b) for a, b in pairs if a.is_incident]
    questions = [(a, b) for a, b in pairs if not a.is_incident]

    return Agreement(
        incidents=len(incidents),
        characteristics=score_multilabel(
            [a.characteristics for a, _ in incidents],
            [b.characteristics for _, b in incidents],
            CHARACTERISTICS,
        ),
        incident_types=score_multilabel(
            [a.incident_types for a, _ in incidents],
            [b.incident_types for _, b in incidents],
            INCIDENT_TYPES,
        ),
        urgent_first=sum(a.urgent for a, _ in pairs),
        urgent_second=sum(b.urgent for _, b in pairs),
        urgent_both=sum(a.urgent and b.urgent for a, b in pairs),
        area_same=sum(a.area == b.area for a, b in pairs),
        likely_same=sum(a.likely == b.likely for a, b in incidents),
        role_same=sum((a.role or "victim") == (b.role or "victim") for a, b in pairs),
        questions=len(questions),
        intent_same=sum(a.expect_intent == b.expect_intent for a, b in questions),
        lines=len(pairs),
    )


def format_agreement(agreement: Agreement) -> str:
    """Render the agreement as plain text."""
    lines = [f"{agreement.lines} lines, {agreement.incidents} incidents"]
    for title, report in (
        ("characteristics", agreement.characteristics),
        ("incident types", agreement.incident_types),
    ):
        micro = report.micro
        lines.append(
            f"{title}: micro-F1 {micro.f1 or 0.0:.3f} "
            f"(first reader {micro.support} labels, second "
            f"{micro.true_positives + micro.false_positives}, "
            f"shared {micro.true_positives})"
        )
        lines.append(
            f"  {'label':24} {'F1':>5} {'both':>5} {'first only':>10} "
            f"{'second only':>11}"
        )
        for row in sorted(report.labels, key=lambda row: row.f1 or 0.0):
            if row.support or row.false_positives:
                lines.append(
                    f"  {row.label:24} {row.f1 or 0.0:5.3f} {row.true_positives:5} "
                    f"{row.false_negatives:10} {row.false_positives:11}"
                )
    lines += [
        f"urgent: first reader {agreement.urgent_first}, second "
        f"{agreement.urgent_second}, both {agreement.urgent_both}",
        f"area: same on {agreement.area_same} of {agreement.lines} lines",
        f"crime/incident reading: same on {agreement.likely_same} of "
        f"{agreement.incidents} incidents",
        f"role: same on {agreement.role_same} of {agreement.lines} lines",
        f"question intents: same on {agreement.intent_same} of "
        f"{agreement.questions} questions",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the agreement for one evaluation set; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--file",
        type=Path,
        default=Path(__file__).resolve().parent / "heldout.jsonl",
        help="evaluation set (default eval/heldout.jsonl)",
    )
    parser.add_argument(
        "--second",
        type=Path,
        help="second reader's labels (default eval/second_reading/<set name>)",
    )
    arguments = parser.parse_args(argv)

    try:
        first = load_cases(arguments.file)
        second = load_other_labels(
            arguments.second or second_reading_path(arguments.file), first
        )
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    print(format_agreement(compare(first, second)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
