"""Convert a labelled JSONL set into a Rasa NLU test file of intents.

`rasa test nlu` scores intent classification on the result: question messages
keep their expected intent, and every other message is `describe_incident`.
The situation labels have no character spans in the set, so entities are
scored by eval/evaluate.py instead.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path


def convert(source: Path) -> str:
    """Return the Rasa NLU YAML for the messages of a JSONL set."""
    examples: dict[str, list[str]] = defaultdict(list)

    for line in source.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        intent = row.get("expect_intent") or "describe_incident"
        text = " ".join(row["text"].split())
        if text not in examples[intent]:
            examples[intent].append(text)

    lines = ['version: "3.1"', "nlu:"]
    for intent in sorted(examples):
        lines.append(f"  - intent: {intent}")
        lines.append("    examples: |")
        lines.extend(f"      - {text}" for text in examples[intent])
    return "\n".join(lines) + "\n"


def main() -> None:
    """Write the converted file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default="eval/heldout.jsonl", help="JSONL set")
    parser.add_argument("--out", default="var/heldout_nlu.yml", help="YAML output")
    arguments = parser.parse_args()

    output = Path(arguments.out)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(convert(Path(arguments.file)), encoding="utf-8")
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
