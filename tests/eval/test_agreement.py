"""Tests for eval/agreement.py, which compares two readers' labels."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stack.evaluation import DEVELOPMENT_SETS, HELDOUT_SETS, set_path
from tests.scripts import load_script

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "eval" / "agreement.py"


agreement = load_script(SCRIPT, "reader_agreement")


def line(id_: str, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": id_,
        "characteristics": [],
        "incident_types": [],
        "urgent": False,
        "area": None,
        "likely": "unclear",
    }
    record.update(fields)
    return record


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


FIRST = [
    line(
        "t1",
        text="a man shoved me and called me a p*ki in oakham",
        characteristics=["race"],
        incident_types=["physical_assault", "verbal_abuse"],
        area="rutland",
        likely="crime",
    ),
    line(
        "t2",
        text="hes outside with a knife right now",
        incident_types=["threats"],
        urgent=True,
        role="witness",
    ),
    line(
        "t3",
        text="can i stay anonymous",
        likely=None,
        expect_intent="ask_anonymous",
    ),
]


@pytest.fixture
def first(tmp_path: Path) -> list[Any]:
    return agreement.load_cases(write(tmp_path / "set.jsonl", FIRST))


def test_identical_labels_agree_fully(tmp_path: Path, first: list[Any]) -> None:
    without_text = [
        {key: value for key, value in record.items() if key != "text"}
        for record in FIRST
    ]
    second = agreement.load_other_labels(
        write(tmp_path / "second.jsonl", without_text), first
    )

    result = agreement.compare(first, second)

    assert result.characteristics.micro.f1 == 1.0
    assert result.incident_types.micro.f1 == 1.0
    assert (result.urgent_first, result.urgent_second, result.urgent_both) == (1, 1, 1)
    assert (result.area_same, result.role_same, result.lines) == (3, 3, 3)
    assert (result.likely_same, result.incidents) == (2, 2)
    assert (result.intent_same, result.questions) == (1, 1)


def test_differences_are_counted(tmp_path: Path, first: list[Any]) -> None:
    second_lines = [
        line(
            "t1",
            characteristics=["race", "religion"],
            incident_types=["physical_assault"],
            area="melton",
            likely="unclear",
        ),
        line("t2", incident_types=["threats", "harassment"]),
        line("t3", likely=None, expect_intent="ask_definition"),
    ]
    second = agreement.load_other_labels(
        write(tmp_path / "second.jsonl", second_lines), first
    )

    result = agreement.compare(first, second)

    # Characteristics: 1 shared, 1 only second. Incident types: 2 shared
    # (assault, threats), 1 only first (verbal abuse), 1 only second.
    assert result.characteristics.micro.f1 == pytest.approx(2 / 3)
    assert result.incident_types.micro.f1 == pytest.approx(4 / 6)
    assert (result.urgent_first, result.urgent_second, result.urgent_both) == (1, 0, 0)
    assert result.area_same == 2
    assert result.likely_same == 1
    assert result.role_same == 2
    assert result.intent_same == 0
    text = agreement.format_agreement(result)
    assert "characteristics: micro-F1 0.667" in text
    assert "urgent: first reader 1, second 0, both 0" in text


@pytest.mark.parametrize(
    ("records", "problem"),
    [
        ([line("t9")], "unknown id 't9'"),
        ([line("t1"), line("t1")], "duplicate id 't1'"),
        ([line("t1", characteristics=["height"])], "unknown labels"),
        ([line("t1"), line("t2")], "no label for t3"),
    ],
)
def test_bad_second_reading_names_the_problem(
    tmp_path: Path, first: list[Any], records: list[dict[str, Any]], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        agreement.load_other_labels(write(tmp_path / "second.jsonl", records), first)


@pytest.mark.parametrize("name", [*HELDOUT_SETS, *DEVELOPMENT_SETS])
def test_every_set_has_a_complete_second_reading(name: str) -> None:
    first = agreement.load_cases(set_path(name))

    second = agreement.load_other_labels(
        agreement.second_reading_path(set_path(name)), first
    )

    assert [case.id for case in second] == [case.id for case in first]


def test_command_prints_agreement_and_fails_on_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert agreement.main(["--file", str(REPO_ROOT / "eval" / "dev.jsonl")]) == 0
    assert "characteristics: micro-F1" in capsys.readouterr().out

    missing = tmp_path / "missing.jsonl"
    assert agreement.main(["--file", str(missing)]) == 1
    assert "error:" in capsys.readouterr().err
