"""Rasa NLU training data (YAML, version 3.1) from reviewed flags.

Each reviewed flag becomes one example of its corrected intent, except flags
on button presses and quick replies (`is_button_press`). The redacted
text keeps typed placeholders such as `[PERSON_1]`. In Rasa's YAML format
square brackets mark entity annotations, so each placeholder becomes an
invented stand-in value of its type, and any other bracket or brace in the
text becomes a round bracket. Labels whose words occur in the text are then
annotated in Rasa's `[words]{"entity": ..., "value": ...}` form.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from directory.logs.models import LogTurn
from directory.review.models import REVIEWED, ReviewFlag
from directory.settings import REPO_ROOT

DOMAIN_DIR = REPO_ROOT / "bot" / "domain"
# Intents that the assistant predicts but that are not trained from examples.
UNTRAINED_INTENTS = frozenset({"nlu_fallback"})
NLU_VERSION = "3.1"

PLACEHOLDER = re.compile(r"\[([A-Z][A-Z_]*?)_(\d+)\]")
# Invented values for the placeholder types of directory.redaction. The phone
# number is in Ofcom's range for drama, and QQ is the prefix that HMRC keeps
# for example National Insurance numbers.
STAND_INS = {
    "PERSON": "Alex",
    "PHONE": "07700 900123",
    "EMAIL": "alex@example.com",
    "URL": "example.com",
    "HANDLE": "@alex_example",
    "POSTCODE": "LE1 9ZZ",
    "ADDRESS": "12 Example Street",
    "NI_NUMBER": "QQ 12 34 56 C",
    "VEHICLE_REG": "AB12 CDE",
    "DATE_OF_BIRTH": "1 January 1990",
    "PLACE": "the town",
}
BRACKETS = str.maketrans({"[": "(", "]": ")", "{": "(", "}": ")"})
# Rasa reads a message that starts with this as an intent with its entities,
# such as `/inform{"area": "leicester"}`, and skips NLU for it.
BUTTON_PAYLOAD_PREFIX = "/"
BUTTON_PRESS_REASON = (
    "This message is a button press or quick reply, not text the visitor "
    "typed. Rasa reads its payload as the intent directly, without NLU, so it "
    "cannot be flagged and is never exported as a training example."
)


@cache
def _domain_names(domain_dir: Path, section: str) -> tuple[str, ...]:
    names: list[str] = []
    for path in sorted(domain_dir.glob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in content.get(section) or []:
            name = entry if isinstance(entry, str) else next(iter(entry))
            if name not in names:
                names.append(str(name))
    return tuple(names)


def trainable_intents(domain_dir: Path = DOMAIN_DIR) -> tuple[str, ...]:
    """Return the intents of the Rasa domain that training examples may carry."""
    return tuple(
        name
        for name in _domain_names(domain_dir, "intents")
        if name not in UNTRAINED_INTENTS
    )


def domain_entities(domain_dir: Path = DOMAIN_DIR) -> tuple[str, ...]:
    """Return the entity names of the Rasa domain."""
    return _domain_names(domain_dir, "entities")


def is_button_press(turn: LogTurn) -> bool:
    """Tell whether a turn is a button press or quick reply: its log marks it
    as one, or its text is a payload starting with "/"."""
    return turn.input_kind == "button" or turn.visitor_text.lstrip().startswith(
        BUTTON_PAYLOAD_PREFIX
    )


def example_text(redacted: str) -> str:
    """Return redacted text as one line with stand-ins and no square brackets."""

    def stand_in(match: re.Match[str]) -> str:
        kind = match.group(1)
        return STAND_INS.get(kind, kind.lower().replace("_", " "))

    text = PLACEHOLDER.sub(stand_in, redacted)
    text = " ".join(text.translate(BRACKETS).split())
    return text


def annotate(text: str, labels: list[dict[str, str]]) -> str:
    """Mark the first free occurrence of each label's words as an entity."""
    spans: list[tuple[int, int, dict[str, str]]] = []
    lowered = text.lower()
    for label in labels:
        words = " ".join(str(label.get("text") or "").translate(BRACKETS).split())
        if not words:
            continue
        start = lowered.find(words.lower())
        while start != -1 and any(
            start < end and start + len(words) > begin for begin, end, _ in spans
        ):
            start = lowered.find(words.lower(), start + 1)
        if start == -1:
            continue
        spans.append((start, start + len(words), label))

    annotated = text
    for start, end, label in sorted(spans, key=lambda span: span[0], reverse=True):
        entity = json.dumps({"entity": label["entity"], "value": label["value"]})
        annotated = (
            f"{annotated[:start]}[{annotated[start:end]}]{entity}{annotated[end:]}"
        )
    return annotated


@dataclass(frozen=True)
class Example:
    """One training example taken from a reviewed flag."""

    intent: str
    text: str
    conversation_id: str


def reviewed_examples(session: Session) -> list[Example]:
    """Return one example per distinct text of the reviewed flags.

    When the same text was flagged with two intents, the later reviewed flag
    wins, because Rasa rejects one example under two intents. Flags on button
    presses are left out, because their payloads are not written language.
    """
    flags = session.scalars(
        select(ReviewFlag)
        .where(ReviewFlag.status == REVIEWED)
        .options(selectinload(ReviewFlag.turn))
        .order_by(ReviewFlag.reviewed_at, ReviewFlag.id)
    )
    allowed = set(trainable_intents())
    by_text: dict[str, Example] = {}
    for flag in flags:
        if flag.intent not in allowed or is_button_press(flag.turn):
            continue
        plain = example_text(flag.turn.visitor_text)
        if not plain:
            continue
        by_text[plain.lower()] = Example(
            intent=flag.intent,
            text=annotate(plain, flag.labels or []),
            conversation_id=flag.conversation_id,
        )
    return list(by_text.values())


def nlu_yaml(examples: list[Example]) -> str:
    """Write examples as Rasa NLU training data, grouped by intent."""
    by_intent: dict[str, list[str]] = {}
    for example in examples:
        by_intent.setdefault(example.intent, []).append(example.text)

    lines = [f'version: "{NLU_VERSION}"', "", "nlu:"]
    for intent in sorted(by_intent):
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {text}" for text in by_intent[intent])
    if not by_intent:
        lines[-1] = "nlu: []"
    return "\n".join(lines) + "\n"
