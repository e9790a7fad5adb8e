"""Score the assessment API against the held-out evaluation set.

Each line of the set is posted to ``POST {url}/api/assess`` as ``{"text": ...}``
and the response fields ``characteristics``, ``incident_types``, ``urgent``,
``area``, ``likely`` and ``intent`` are compared with the labels.

Run from the repository root:

    .venvs/service/bin/python eval/evaluate.py --url http://127.0.0.1:8000

Exit status: 0 when the run finished (whether or not the targets were met),
1 when the evaluation file is missing or invalid or the ``--json`` file cannot
be written, 2 when the service cannot be reached or times out.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, get_args

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from directory.signposting.labels import (  # noqa: E402
    NOT_ABOUT_IDENTITY,
    Area,
    Characteristic,
    IncidentType,
    Reading,
    Role,
)

# The label values are the signposting schema's, which the assessment API
# returns.
CHARACTERISTICS = tuple(
    value for value in get_args(Characteristic) if value != NOT_ABOUT_IDENTITY
)
INCIDENT_TYPES = get_args(IncidentType)
AREAS = get_args(Area)
LIKELY_VALUES = get_args(Reading)
ROLES = get_args(Role)
INTENTS = (
    "ask_definition",
    "ask_anonymous",
    "ask_will_they_find_out",
    "ask_after_report",
    "no_police",
    "ask_human",
    "delete_data",
    "crisis",
    "hostile_to_service",
    "greet",
)
NULL_LABEL = "null"
CONFUSION_CORNER = "expected \\ got"

CHARACTERISTICS_MICRO_F1_TARGET = 0.95
INCIDENT_TYPES_MICRO_F1_TARGET = 0.85
URGENCY_RECALL_TARGET = 1.0
FALSE_ALARM_RATE_LIMIT = 0.05
AREA_ACCURACY_TARGET = 0.95

DEFAULT_FILE = Path(__file__).resolve().parent / "heldout.jsonl"
DEFAULT_URL = "http://127.0.0.1:8000"
ASSESS_PATH = "/api/assess"
PROGRESS_EVERY = 50


# ---------------------------------------------------------------- data types


@dataclass(frozen=True)
class Case:
    """One labelled line of the evaluation set."""

    id: str
    text: str
    characteristics: frozenset[str]
    incident_types: frozenset[str]
    urgent: bool
    area: str | None
    likely: str | None
    role: str | None = None
    expect_intent: str | None = None

    @property
    def is_incident(self) -> bool:
        """Whether the line describes an incident instead of asking a question."""
        return self.expect_intent is None


@dataclass(frozen=True)
class Prediction:
    """The fields of one assessment response, or the error that replaced it."""

    characteristics: frozenset[str] = frozenset()
    incident_types: frozenset[str] = frozenset()
    urgent: bool = False
    area: str | None = None
    likely: str | None = None
    intent: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class LabelScore:
    """Counts and scores for one label of a multi-label field.

    Precision is None when the label was never predicted, recall is None when
    the label never occurs in the set, and F1 is None when both hold.
    """

    label: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def support(self) -> int:
        """Number of messages that carry the label."""
        return self.true_positives + self.false_negatives

    @property
    def precision(self) -> float | None:
        """Share of predictions of the label that were right."""
        return safe_ratio(
            self.true_positives, self.true_positives + self.false_positives
        )

    @property
    def recall(self) -> float | None:
        """Share of messages carrying the label that got it."""
        return safe_ratio(self.true_positives, self.support)

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall, as 2TP / (2TP + FP + FN)."""
        return safe_ratio(
            2 * self.true_positives,
            2 * self.true_positives + self.false_positives + self.false_negatives,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the counts and scores as a JSON-ready dict."""
        return {
            "label": self.label,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "support": self.support,
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
        }


@dataclass(frozen=True)
class MultiLabelReport:
    """Per-label scores for one multi-label field and their micro average."""

    labels: tuple[LabelScore, ...]
    micro: LabelScore

    def to_dict(self) -> dict[str, Any]:
        """Return the per-label rows and micro scores as a JSON-ready dict."""
        micro = self.micro.to_dict()
        del micro["label"]
        return {"per_label": [row.to_dict() for row in self.labels], "micro": micro}


@dataclass(frozen=True)
class UrgencyReport:
    """Urgency recall and the false-alarm rate over non-urgent messages."""

    urgent_total: int
    non_urgent_total: int
    detected: int
    false_alarms: int
    missed_ids: tuple[str, ...]
    false_alarm_ids: tuple[str, ...]

    @property
    def recall(self) -> float | None:
        """Share of urgent messages flagged urgent."""
        return safe_ratio(self.detected, self.urgent_total)

    @property
    def false_alarm_rate(self) -> float | None:
        """False positives divided by all non-urgent messages."""
        return safe_ratio(self.false_alarms, self.non_urgent_total)

    def to_dict(self) -> dict[str, Any]:
        """Return the counts, rates and ids as a JSON-ready dict."""
        return {
            **asdict(self),
            "recall": self.recall,
            "false_alarm_rate": self.false_alarm_rate,
        }


@dataclass(frozen=True)
class AreaReport:
    """Area accuracy on labelled messages and stray areas on null-labelled ones."""

    labelled_total: int
    labelled_correct: int
    null_total: int
    null_given_area: int
    wrong_ids: tuple[str, ...]
    stray_ids: tuple[str, ...]

    @property
    def accuracy(self) -> float | None:
        """Share of messages with an area label that got exactly that area."""
        return safe_ratio(self.labelled_correct, self.labelled_total)

    @property
    def null_given_area_rate(self) -> float | None:
        """Share of null-labelled messages that got an area anyway."""
        return safe_ratio(self.null_given_area, self.null_total)

    def to_dict(self) -> dict[str, Any]:
        """Return the counts, rates and ids as a JSON-ready dict."""
        return {
            **asdict(self),
            "accuracy": self.accuracy,
            "null_given_area_rate": self.null_given_area_rate,
        }


@dataclass(frozen=True)
class TargetResult:
    """One target from the acceptance block and whether the run met it."""

    name: str
    value: str
    target: str
    passed: bool


@dataclass
class EvaluationReport:
    """All figures of one evaluation run."""

    total: int
    incident_total: int
    question_total: int
    characteristics: MultiLabelReport
    incident_types: MultiLabelReport
    urgency: UrgencyReport
    area: AreaReport
    likely_accuracy: float | None
    likely_confusion: dict[str, dict[str, int]]
    intent_accuracy: float | None
    intent_support: int
    intent_wrong_ids: tuple[str, ...]
    failed_request_ids: tuple[str, ...] = ()
    targets: list[TargetResult] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return every figure as a JSON-ready dict."""
        return {
            "total": self.total,
            "incident_total": self.incident_total,
            "question_total": self.question_total,
            "failed_request_ids": list(self.failed_request_ids),
            "characteristics": self.characteristics.to_dict(),
            "incident_types": self.incident_types.to_dict(),
            "urgency": self.urgency.to_dict(),
            "area": self.area.to_dict(),
            "likely": {
                "accuracy": self.likely_accuracy,
                "confusion": self.likely_confusion,
            },
            "intent": {
                "accuracy": self.intent_accuracy,
                "support": self.intent_support,
                "wrong_ids": list(self.intent_wrong_ids),
            },
            "targets": [asdict(target) for target in self.targets],
        }


# ------------------------------------------------------------- pure metrics


def safe_ratio(numerator: int, denominator: int) -> float | None:
    """Divide, returning None instead of failing when the denominator is 0."""
    if denominator == 0:
        return None
    return numerator / denominator


def score_label(
    label: str,
    expected: Sequence[Iterable[str]],
    predicted: Sequence[Iterable[str]],
) -> LabelScore:
    """Count true positives, false positives and false negatives for one label."""
    true_positives = false_positives = false_negatives = 0
    for expected_labels, predicted_labels in zip(expected, predicted, strict=True):
        in_expected = label in set(expected_labels)
        in_predicted = label in set(predicted_labels)
        true_positives += in_expected and in_predicted
        false_positives += in_predicted and not in_expected
        false_negatives += in_expected and not in_predicted
    return LabelScore(label, true_positives, false_positives, false_negatives)


def score_multilabel(
    expected: Sequence[Iterable[str]],
    predicted: Sequence[Iterable[str]],
    labels: Sequence[str],
) -> MultiLabelReport:
    """Score each label and the micro average over all of them.

    Labels outside ``labels`` that appear in either side get their own rows
    after the known ones, so a stray prediction counts as a false positive.
    """
    expected_sets = [set(item) for item in expected]
    predicted_sets = [set(item) for item in predicted]
    seen = set().union(*expected_sets, *predicted_sets)
    extra_labels = sorted(seen - set(labels))
    rows = tuple(
        score_label(label, expected_sets, predicted_sets)
        for label in (*labels, *extra_labels)
    )
    micro = LabelScore(
        "micro",
        sum(row.true_positives for row in rows),
        sum(row.false_positives for row in rows),
        sum(row.false_negatives for row in rows),
    )
    return MultiLabelReport(rows, micro)


def score_urgency(
    ids: Sequence[str], expected: Sequence[bool], predicted: Sequence[bool]
) -> UrgencyReport:
    """Measure urgency recall and the false-alarm rate."""
    missed: list[str] = []
    false_alarms: list[str] = []
    for case_id, is_urgent, flagged in zip(ids, expected, predicted, strict=True):
        if is_urgent and not flagged:
            missed.append(case_id)
        elif flagged and not is_urgent:
            false_alarms.append(case_id)
    urgent_total = sum(bool(value) for value in expected)
    return UrgencyReport(
        urgent_total=urgent_total,
        non_urgent_total=len(expected) - urgent_total,
        detected=urgent_total - len(missed),
        false_alarms=len(false_alarms),
        missed_ids=tuple(missed),
        false_alarm_ids=tuple(false_alarms),
    )


def score_area(
    ids: Sequence[str],
    expected: Sequence[str | None],
    predicted: Sequence[str | None],
) -> AreaReport:
    """Measure area accuracy on labelled messages and stray areas on the rest."""
    labelled_total = labelled_correct = null_total = 0
    wrong: list[str] = []
    stray: list[str] = []
    for case_id, label, guess in zip(ids, expected, predicted, strict=True):
        if label is None:
            null_total += 1
            if guess is not None:
                stray.append(case_id)
            continue
        labelled_total += 1
        if guess == label:
            labelled_correct += 1
        else:
            wrong.append(case_id)
    return AreaReport(
        labelled_total=labelled_total,
        labelled_correct=labelled_correct,
        null_total=null_total,
        null_given_area=len(stray),
        wrong_ids=tuple(wrong),
        stray_ids=tuple(stray),
    )


def accuracy(expected: Sequence[Any], predicted: Sequence[Any]) -> float | None:
    """Return the share of positions where both sequences are equal."""
    pairs = list(zip(expected, predicted, strict=True))
    return safe_ratio(sum(a == b for a, b in pairs), len(pairs))


def confusion_matrix(
    expected: Sequence[str | None], predicted: Sequence[str | None]
) -> dict[str, dict[str, int]]:
    """Count expected (rows) against predicted (columns) values.

    None becomes the key ``"null"``, and every row carries every column.
    """
    rows = [NULL_LABEL if value is None else value for value in expected]
    columns = [NULL_LABEL if value is None else value for value in predicted]
    row_keys = _ordered_keys(rows)
    column_keys = _ordered_keys(columns)
    matrix = {row: dict.fromkeys(column_keys, 0) for row in row_keys}
    for row, column in zip(rows, columns, strict=True):
        matrix[row][column] += 1
    return matrix


def _ordered_keys(values: Iterable[str]) -> list[str]:
    """Order ``likely`` values as in the label scheme, then others, then null."""
    present = set(values)
    known = [value for value in LIKELY_VALUES if value in present]
    others = sorted(present - set(LIKELY_VALUES) - {NULL_LABEL})
    tail = [NULL_LABEL] if NULL_LABEL in present else []
    return known + others + tail


def check_targets(report: EvaluationReport) -> list[TargetResult]:
    """Compare the headline figures with the targets. A missing figure fails."""
    characteristics_f1 = report.characteristics.micro.f1
    incident_types_f1 = report.incident_types.micro.f1
    recall = report.urgency.recall
    false_alarm_rate = report.urgency.false_alarm_rate
    area_accuracy = report.area.accuracy
    urgency_passed = (
        recall is not None
        and recall >= URGENCY_RECALL_TARGET
        and false_alarm_rate is not None
        and false_alarm_rate < FALSE_ALARM_RATE_LIMIT
    )
    return [
        TargetResult(
            "characteristics micro-F1",
            format_number(characteristics_f1),
            f">= {CHARACTERISTICS_MICRO_F1_TARGET:.2f}",
            _at_least(characteristics_f1, CHARACTERISTICS_MICRO_F1_TARGET),
        ),
        TargetResult(
            "incident types micro-F1",
            format_number(incident_types_f1),
            f">= {INCIDENT_TYPES_MICRO_F1_TARGET:.2f}",
            _at_least(incident_types_f1, INCIDENT_TYPES_MICRO_F1_TARGET),
        ),
        TargetResult(
            "urgency recall / false alarms",
            f"{format_number(recall)} / {format_percent(false_alarm_rate)}",
            f"= {URGENCY_RECALL_TARGET:.1f} / < {FALSE_ALARM_RATE_LIMIT:.0%}",
            urgency_passed,
        ),
        TargetResult(
            "area accuracy",
            format_number(area_accuracy),
            f">= {AREA_ACCURACY_TARGET:.2f}",
            _at_least(area_accuracy, AREA_ACCURACY_TARGET),
        ),
    ]


def _at_least(value: float | None, target: float) -> bool:
    return value is not None and value >= target


def evaluate(
    cases: Sequence[Case], predictions: Sequence[Prediction]
) -> EvaluationReport:
    """Compute every figure of the report from labels and predictions."""
    if len(cases) != len(predictions):
        raise ValueError(
            f"got {len(predictions)} predictions for {len(cases)} cases, "
            "but evaluate() needs exactly one prediction per case"
        )
    pairs = list(zip(cases, predictions, strict=True))
    incidents = [(case, guess) for case, guess in pairs if case.is_incident]
    questions = [(case, guess) for case, guess in pairs if not case.is_incident]
    ids = [case.id for case in cases]

    report = EvaluationReport(
        total=len(cases),
        incident_total=len(incidents),
        question_total=len(questions),
        characteristics=score_multilabel(
            [case.characteristics for case, _ in incidents],
            [guess.characteristics for _, guess in incidents],
            CHARACTERISTICS,
        ),
        incident_types=score_multilabel(
            [case.incident_types for case, _ in incidents],
            [guess.incident_types for _, guess in incidents],
            INCIDENT_TYPES,
        ),
        urgency=score_urgency(
            ids,
            [case.urgent for case in cases],
            [guess.urgent for guess in predictions],
        ),
        area=score_area(
            ids,
            [case.area for case in cases],
            [guess.area for guess in predictions],
        ),
        likely_accuracy=accuracy(
            [case.likely for case, _ in incidents],
            [guess.likely for _, guess in incidents],
        ),
        likely_confusion=confusion_matrix(
            [case.likely for case, _ in incidents],
            [guess.likely for _, guess in incidents],
        ),
        intent_accuracy=accuracy(
            [case.expect_intent for case, _ in questions],
            [guess.intent for _, guess in questions],
        ),
        intent_support=len(questions),
        intent_wrong_ids=tuple(
            case.id for case, guess in questions if guess.intent != case.expect_intent
        ),
        failed_request_ids=tuple(
            case.id for case, guess in pairs if guess.error is not None
        ),
    )
    report.targets = check_targets(report)
    return report


def list_differences(case: Case, prediction: Prediction) -> dict[str, tuple[Any, Any]]:
    """Return {field: (expected, got)} for every scored field the service got wrong.

    Incident lines are checked on characteristics, incident types, urgency,
    area and ``likely``, and question lines on intent, urgency and area.
    """
    checks: list[tuple[str, Any, Any]] = [
        ("urgent", case.urgent, prediction.urgent),
        ("area", case.area, prediction.area),
    ]
    if case.is_incident:
        checks += [
            ("characteristics", case.characteristics, prediction.characteristics),
            ("incident_types", case.incident_types, prediction.incident_types),
            ("likely", case.likely, prediction.likely),
        ]
    else:
        checks.append(("intent", case.expect_intent, prediction.intent))
    return {
        name: (_plain(expected), _plain(got))
        for name, expected, got in checks
        if expected != got
    }


def _plain(value: Any) -> Any:
    return sorted(value) if isinstance(value, frozenset) else value


# ------------------------------------------------------------ reading input


def load_cases(path: Path) -> list[Case]:
    """Read and validate the evaluation set, one JSON object a line.

    Raises ValueError naming the line and field when a line is invalid, and
    OSError when the file cannot be read.
    """
    cases: list[Case] = []
    seen_ids: set[str] = set()
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                case = parse_case(json.loads(line))
            except (ValueError, TypeError) as error:
                raise ValueError(f"{path}:{number}: {error}") from error
            if case.id in seen_ids:
                raise ValueError(f"{path}:{number}: duplicate id {case.id!r}")
            seen_ids.add(case.id)
            cases.append(case)
    return cases


def load_other_labels(path: Path, cases: Sequence[Case]) -> list[Case]:
    """Read another reader's labels of a set, in the order of the set's lines.

    Each line lacks the text, which is taken from the set's line with the same
    id (the second reading in ``eval/second_reading/`` has this form). Raises
    ValueError naming the line when a line is invalid or its id is unknown or
    repeated, or when a line of the set has no label there.
    """
    texts = {case.id: case.text for case in cases}
    relabelled: dict[str, Case] = {}
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise TypeError("expected a JSON object")
                if record.get("id") not in texts:
                    raise ValueError(f"unknown id {record.get('id')!r}")
                if record["id"] in relabelled:
                    raise ValueError(f"duplicate id {record['id']!r}")
                case = parse_case({**record, "text": texts[record["id"]]})
            except (ValueError, TypeError) as error:
                raise ValueError(f"{path}:{number}: {error}") from error
            relabelled[case.id] = case

    missing = [case.id for case in cases if case.id not in relabelled]
    if missing:
        raise ValueError(f"{path}: no label for {', '.join(missing[:10])}")
    return [relabelled[case.id] for case in cases]


def parse_case(record: Any) -> Case:
    """Build a Case from one decoded line.

    Raises TypeError when the line is not a JSON object and ValueError when a
    field is missing or has a value outside the label scheme.
    """
    if not isinstance(record, dict):
        raise TypeError(f"expected a JSON object, got {type(record).__name__}")
    for name in ("id", "text"):
        if not isinstance(record.get(name), str) or not record[name].strip():
            raise ValueError(f"field {name!r} is missing or not a non-empty string")
    if not isinstance(record.get("urgent"), bool):
        raise ValueError(
            f"field 'urgent' must be true or false, got {record.get('urgent')!r}"
        )
    return Case(
        id=record["id"],
        text=record["text"],
        characteristics=_label_set(record, "characteristics", CHARACTERISTICS),
        incident_types=_label_set(record, "incident_types", INCIDENT_TYPES),
        urgent=record["urgent"],
        area=_optional_choice(record, "area", AREAS),
        likely=_optional_choice(record, "likely", LIKELY_VALUES),
        role=_optional_choice(record, "role", ROLES),
        expect_intent=_optional_choice(record, "expect_intent", INTENTS),
    )


def _label_set(
    record: dict[str, Any], name: str, allowed: Sequence[str]
) -> frozenset[str]:
    values = record.get(name)
    if not isinstance(values, list):
        raise ValueError(f"field {name!r} must be a list, got {values!r}")
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise ValueError(
            f"field {name!r} has unknown labels {unknown}. Use labels from: "
            + ", ".join(allowed)
        )
    return frozenset(values)


def _optional_choice(
    record: dict[str, Any], name: str, allowed: Sequence[str]
) -> str | None:
    value = record.get(name)
    if value is not None and value not in allowed:
        choices = ", ".join(allowed)
        raise ValueError(
            f"field {name!r} has unknown value {value!r}. Use null or one of: {choices}"
        )
    return value


def parse_prediction(payload: Any) -> Prediction:
    """Read the scored fields from an assessment response.

    Missing fields count as empty (no labels, not urgent, null). An intent
    given as an object such as ``{"name": "greet", ...}`` is read by its name.
    """
    if not isinstance(payload, dict):
        return Prediction(error=f"response is not a JSON object: {payload!r:.200}")
    intent = payload.get("intent")
    if isinstance(intent, dict):
        intent = intent.get("name")
    return Prediction(
        characteristics=_string_set(payload.get("characteristics")),
        incident_types=_string_set(payload.get("incident_types")),
        urgent=payload.get("urgent") is True,
        area=_string_or_none(payload.get("area")),
        likely=_string_or_none(payload.get("likely")),
        intent=_string_or_none(intent),
    )


def _string_set(value: Any) -> frozenset[str]:
    if not isinstance(value, list):
        return frozenset()
    return frozenset(str(item) for item in value)


def _string_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# ------------------------------------------------------------ talking to the service


class ServiceUnreachableError(Exception):
    """The assessment service could not be reached or has no assessment endpoint."""


def fetch_prediction(client: httpx.Client, base_url: str, text: str) -> Prediction:
    """Post one message to the assessment endpoint and read the response.

    Raises ServiceUnreachableError on connection failures, timeouts and 404,
    because every later request would fail the same way.
    Any other failed request is returned as a Prediction with ``error`` set.
    """
    url = base_url.rstrip("/") + ASSESS_PATH
    try:
        response = client.post(url, json={"text": text})
    except httpx.TimeoutException as error:
        raise ServiceUnreachableError(
            f"POST {url} timed out ({error!r}). Check that the service and its "
            "Rasa server are running, or raise --timeout."
        ) from error
    except httpx.TransportError as error:
        raise ServiceUnreachableError(
            f"could not reach {url}: {error!r}. Start the directory service "
            "or pass its address with --url."
        ) from error
    if response.status_code == 404:
        raise ServiceUnreachableError(
            f"POST {url} returned 404: the service at {base_url} has no "
            "assessment endpoint. Check --url."
        )
    if response.is_error:
        return Prediction(error=f"HTTP {response.status_code}: {response.text[:200]}")
    try:
        payload = response.json()
    except ValueError:
        return Prediction(error=f"response is not JSON: {response.text[:200]!r}")
    return parse_prediction(payload)


def assess_cases(
    cases: Sequence[Case], client: httpx.Client, base_url: str
) -> list[Prediction]:
    """Fetch one prediction per case, reporting progress and failures on stderr."""
    predictions: list[Prediction] = []
    for index, case in enumerate(cases, start=1):
        prediction = fetch_prediction(client, base_url, case.text)
        if prediction.error is not None:
            print(f"warning: {case.id}: {prediction.error}", file=sys.stderr)
        predictions.append(prediction)
        if index % PROGRESS_EVERY == 0:
            print(f"assessed {index}/{len(cases)}", file=sys.stderr)
    return predictions


# ------------------------------------------------------------ printing


def format_number(value: float | None) -> str:
    """Format a score to three decimals, or "-" when it is undefined."""
    return "-" if value is None else f"{value:.3f}"


def format_percent(value: float | None) -> str:
    """Format a rate as a percentage, or "-" when it is undefined."""
    return "-" if value is None else f"{value:.1%}"


def format_multilabel(title: str, report: MultiLabelReport) -> list[str]:
    """Lay out a per-label table with a micro-average line."""
    width = max(len(row.label) for row in report.labels) if report.labels else 5
    lines = [
        title,
        f"  {'label':<{width}}  precision  recall     f1  support",
    ]
    for row in report.labels:
        lines.append(_score_line(row.label, row, width))
    lines.append(_score_line("micro", report.micro, width))
    return lines


def _score_line(name: str, row: LabelScore, width: int) -> str:
    return (
        f"  {name:<{width}}  {format_number(row.precision):>9}"
        f"  {format_number(row.recall):>6}  {format_number(row.f1):>5}"
        f"  {row.support:>7}"
    )


def format_confusion(matrix: dict[str, dict[str, int]]) -> list[str]:
    """Lay out a confusion table, expected values as rows."""
    if not matrix:
        return ["  (no incident messages)"]
    columns = list(next(iter(matrix.values())))
    width = max(len(key) for key in [*matrix, CONFUSION_CORNER])
    header = "  ".join(columns)
    lines = [f"  {CONFUSION_CORNER:<{width}}  {header}"]
    for row, counts in matrix.items():
        cells = "  ".join(f"{counts[column]:>{len(column)}}" for column in columns)
        lines.append(f"  {row:<{width}}  {cells}")
    return lines


def format_urgency(urgency: UrgencyReport) -> list[str]:
    """Lay out urgency recall, the false-alarm rate and the ids behind them."""
    recall = (
        f"{format_number(urgency.recall)} ({urgency.detected}/{urgency.urgent_total})"
    )
    rate = format_percent(urgency.false_alarm_rate)
    counts = f"{urgency.false_alarms}/{urgency.non_urgent_total} non-urgent messages"
    return [
        "urgency (all messages)",
        f"  recall: {recall}",
        f"  false-alarm rate: {rate} ({counts})",
        f"  missed urgent ids: {', '.join(urgency.missed_ids) or 'none'}",
        f"  false-alarm ids: {', '.join(urgency.false_alarm_ids) or 'none'}",
    ]


def format_area(area: AreaReport) -> list[str]:
    """Lay out area accuracy and the rate of areas given to null-labelled messages."""
    labelled = f"{format_number(area.accuracy)} ({area.labelled_correct}/"
    labelled += f"{area.labelled_total})"
    stray = f"{format_percent(area.null_given_area_rate)} ({area.null_given_area}/"
    stray += f"{area.null_total})"
    return [
        "area (all messages)",
        f"  accuracy on messages with an area: {labelled}",
        f"  null-labelled messages given an area: {stray}",
    ]


def format_intent(report: EvaluationReport) -> list[str]:
    """Lay out intent accuracy on question lines and the ids it got wrong."""
    correct = report.intent_support - len(report.intent_wrong_ids)
    accuracy_text = format_number(report.intent_accuracy)
    counts = f"{correct}/{report.intent_support}"
    return [
        f"intent (questions): accuracy {accuracy_text} ({counts})",
        f"  wrong ids: {', '.join(report.intent_wrong_ids) or 'none'}",
    ]


def format_targets(targets: Sequence[TargetResult]) -> list[str]:
    """Lay out one PASS or FAIL line per target."""
    lines = ["targets"]
    for target in targets:
        verdict = "PASS" if target.passed else "FAIL"
        lines.append(
            f"  {verdict}  {target.name}: {target.value} (target {target.target})"
        )
    return lines


def format_report(report: EvaluationReport) -> str:
    """Lay out every figure of the report as plain text."""
    counts = f"{report.incident_total} incidents, {report.question_total} questions"
    lines = [f"messages: {report.total} ({counts})"]
    if report.failed_request_ids:
        failed = ", ".join(report.failed_request_ids)
        count = len(report.failed_request_ids)
        lines.append(f"failed requests, scored as empty responses: {count}: {failed}")
    likely_accuracy = format_number(report.likely_accuracy)
    sections = [
        format_multilabel(
            "characteristics (incident messages)", report.characteristics
        ),
        format_multilabel("incident types (incident messages)", report.incident_types),
        format_urgency(report.urgency),
        format_area(report.area),
        [
            f"likely (incident messages): accuracy {likely_accuracy}",
            *format_confusion(report.likely_confusion),
        ],
        format_intent(report),
        format_targets(report.targets),
    ]
    for section in sections:
        lines += ["", *section]
    return "\n".join(lines)


def format_errors(cases: Sequence[Case], predictions: Sequence[Prediction]) -> str:
    """List each message with a wrong field, expected against got."""
    blocks: list[str] = []
    for case, prediction in zip(cases, predictions, strict=True):
        differences = list_differences(case, prediction)
        if not differences and prediction.error is None:
            continue
        lines = [f"{case.id}: {case.text}"]
        if prediction.error is not None:
            lines.append(f"  request failed: {prediction.error}")
        for name, (expected, got) in differences.items():
            lines.append(f"  {name}: expected {expected!r}, got {got!r}")
        blocks.append("\n".join(lines))
    header = f"wrong messages: {len(blocks)}"
    return "\n\n".join([header, *blocks])


# ------------------------------------------------------------ command line


def build_parser() -> argparse.ArgumentParser:
    """Define the command-line options."""
    parser = argparse.ArgumentParser(
        description="Score the assessment API (POST /api/assess) against a "
        "labelled evaluation set.",
    )
    parser.add_argument(
        "--file",
        type=Path,
        default=DEFAULT_FILE,
        help="evaluation set, one JSON object a line (default: eval/heldout.jsonl)",
    )
    parser.add_argument(
        "--labels",
        type=Path,
        metavar="PATH",
        help="score against these labels of the set's lines instead, one JSON "
        "object a line with an id and no text (for example "
        "eval/second_reading/heldout.jsonl)",
    )
    parser.add_argument(
        "--url",
        default=DEFAULT_URL,
        help=f"base URL of the running directory service (default: {DEFAULT_URL})",
    )
    parser.add_argument(
        "--errors",
        action="store_true",
        help="also print each wrong message with expected and returned values",
    )
    parser.add_argument(
        "--json",
        type=Path,
        metavar="OUT",
        help="also write every figure as JSON to this file",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        help="seconds to wait for each response (default: 30)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation and return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        cases = load_cases(args.file)
        if args.labels is not None:
            cases = load_other_labels(args.labels, cases)
    except (OSError, ValueError) as error:
        print(f"error: could not load the evaluation set: {error}", file=sys.stderr)
        return 1

    try:
        with httpx.Client(timeout=args.timeout) as client:
            predictions = assess_cases(cases, client, args.url)
    except ServiceUnreachableError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    report = evaluate(cases, predictions)
    print(format_report(report))
    if args.errors:
        print()
        print(format_errors(cases, predictions))
    if args.json is not None:
        try:
            args.json.write_text(
                json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8"
            )
        except OSError as error:
            print(
                f"error: could not write figures to {args.json}: {error}",
                file=sys.stderr,
            )
            return 1
        print(f"\nwrote figures to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
