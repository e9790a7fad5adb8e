"""Training messages labelled whole, in the scheme of the evaluation sets.

The examples under ``nlu/data`` mark each label on the words that show it.
The files under ``nlu/assessed`` hold visitor messages labelled the way a
reader assesses a whole message instead: the characteristics targeted, the
incident types and the visitor's role, as in ``eval/README.md``. Such a label
list is complete for those groups, so a message that lacks a label there is a
negative example of it. A message marked not urgent is a negative example
of both urgency labels. The evaluation scheme does not say whether the
danger of an urgent message is to others or to the writer, so a training
message may say so in an extra field, `urgency` (`danger_now`, `self_harm`
or both). An urgent message with that field is an example of each kind it
lists and a negative example of a kind it does not list. Without it, the
message is left out of both urgency labels. The scheme gives no labels for
faith, severity or age, so the situation model leaves these messages out of
the training of those labels.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import FrozenSet, List, Set, Tuple, get_args

from directory.signposting.labels import NOT_ABOUT_IDENTITY as NONE_VALUE
from directory.signposting.labels import (
    Characteristic,
    IncidentType,
    Reading,
    Role,
)

Label = Tuple[str, str]

REPO_ROOT = Path(__file__).resolve().parents[2]

CHARACTERISTICS = frozenset(get_args(Characteristic)) - {NONE_VALUE}
INCIDENT_TYPES = frozenset(get_args(IncidentType))
# The kinds of urgency a message labelled whole may state, in its optional
# `urgency` field.
URGENCY = frozenset({"danger_now", "self_harm"})
# The victim is the default role, which the situation model does not predict.
ROLES = frozenset(get_args(Role)) - {"victim"}
LIKELY = frozenset(get_args(Reading))

# The situation model's label for a message stating that the incident was
# not about who the victim is. A message read as not hate-related with no
# characteristic targeted carries it, and every other message is a negative
# example of it.
NOT_ABOUT_IDENTITY: Label = ("characteristic", NONE_VALUE)

# The labels whose presence or absence a whole-message label list states.
ASSESSED_LABELS: FrozenSet[Label] = frozenset(
    {("characteristic", value) for value in CHARACTERISTICS}
    | {("incident_type", value) for value in INCIDENT_TYPES}
    | {("role", value) for value in ROLES}
    | {NOT_ABOUT_IDENTITY}
)


class AssessedFileError(ValueError):
    """A line of an assessed examples file is not a valid labelled message."""


@dataclass(frozen=True)
class AssessedExample:
    """One message and the labels a reader gave it."""

    text: str
    labels: FrozenSet[Label]
    # Whether someone is in danger now or the writer may harm themselves.
    urgent: bool = False

    @property
    def urgency_known(self) -> bool:
        """Whether the labels state which urgency labels apply, if any."""
        return not self.urgent or any(group == "urgency" for group, _ in self.labels)


def repository_path(configured: str) -> Path:
    """Resolve a configured file or folder, relative to the repository root."""
    path = Path(configured)
    return path if path.is_absolute() else REPO_ROOT / path


def load_assessed(directory: Path) -> List[AssessedExample]:
    """Read every ``*.jsonl`` file of the folder, in name order."""
    examples = []
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                examples.append(_parse_line(line, f"{path.name}:{number}"))
    return examples


def fingerprint(directory: Path) -> str:
    """Return a digest of the folder's files, so that a change to them retrains."""
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.jsonl")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _parse_line(line: str, place: str) -> AssessedExample:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise AssessedFileError(f"{place}: invalid JSON ({exc.msg})") from exc

    text = row.get("text") if isinstance(row, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise AssessedFileError(f"{place}: missing text")

    labels: Set[Label] = set()
    for field, group, allowed in (
        ("characteristics", "characteristic", CHARACTERISTICS),
        ("incident_types", "incident_type", INCIDENT_TYPES),
    ):
        values = row.get(field)
        if not isinstance(values, list) or not set(values) <= allowed:
            raise AssessedFileError(
                f"{place}: invalid {field}, expected a list of {group} labels"
            )
        labels |= {(group, value) for value in values}

    likely = row.get("likely")
    if likely is not None and likely not in LIKELY:
        raise AssessedFileError(
            f"{place}: invalid likely {likely!r}, expected one of "
            + ", ".join(sorted(LIKELY))
        )
    if likely == "not_hate" and not row["characteristics"]:
        labels.add(NOT_ABOUT_IDENTITY)

    role = row.get("role")
    if role is not None:
        if role not in ROLES:
            raise AssessedFileError(
                f"{place}: invalid role {role!r}, expected witness or third_party"
            )
        labels.add(("role", role))

    urgent = row.get("urgent", False)
    if not isinstance(urgent, bool):
        raise AssessedFileError(
            f"{place}: invalid urgent {urgent!r}, expected true or false"
        )

    kinds = row.get("urgency")
    if kinds is not None:
        if (
            not urgent
            or not isinstance(kinds, list)
            or not kinds
            or not set(kinds) <= URGENCY
        ):
            raise AssessedFileError(
                f"{place}: invalid urgency {kinds!r}, expected a list of "
                "danger_now and self_harm on an urgent message"
            )
        labels |= {("urgency", kind) for kind in kinds}

    return AssessedExample(text, frozenset(labels), urgent)
