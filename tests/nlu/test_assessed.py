"""Messages labelled whole: reading them and how the situation model uses them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlu.components.assessed import (
    REPO_ROOT,
    AssessedExample,
    AssessedFileError,
    fingerprint,
    load_assessed,
    repository_path,
)
from nlu.components.situation import SituationClassifier
from nlu.components.situation_model import SituationModel


def write_rows(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def row(text: str, **fields: object) -> dict:
    return {"text": text, "characteristics": [], "incident_types": [], **fields}


def test_load_reads_labels_and_role(tmp_path: Path) -> None:
    write_rows(
        tmp_path / "b.jsonl",
        [
            row(
                "my son got called a p**i on the bus",
                characteristics=["race"],
                incident_types=["verbal_abuse"],
                role="third_party",
                urgent=False,
                area=None,
            )
        ],
    )
    write_rows(tmp_path / "a.jsonl", [row("someone nicked my bike")])

    examples = load_assessed(tmp_path)

    assert examples == [
        AssessedExample("someone nicked my bike", frozenset()),
        AssessedExample(
            "my son got called a p**i on the bus",
            frozenset(
                {
                    ("characteristic", "race"),
                    ("incident_type", "verbal_abuse"),
                    ("role", "third_party"),
                }
            ),
        ),
    ]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("not json", "invalid JSON"),
        (json.dumps(row("  ")), "missing text"),
        (json.dumps(row("x", characteristics=["height"])), "invalid characteristics"),
        (json.dumps({"text": "x", "characteristics": []}), "invalid incident_types"),
        (json.dumps(row("x", role="victim")), "invalid role"),
        (json.dumps(row("x", likely="hate")), "invalid likely"),
    ],
)
def test_load_names_the_bad_line(tmp_path: Path, line: str, problem: str) -> None:
    (tmp_path / "set.jsonl").write_text(json.dumps(row("fine")) + "\n" + line + "\n")

    with pytest.raises(AssessedFileError, match=rf"set\.jsonl:2: {problem}"):
        load_assessed(tmp_path)


def test_fingerprint_follows_the_files(tmp_path: Path) -> None:
    empty = fingerprint(tmp_path)
    write_rows(tmp_path / "set.jsonl", [row("they egged my door")])
    first = fingerprint(tmp_path)
    write_rows(tmp_path / "set.jsonl", [row("they egged my car")])

    assert len({empty, first, fingerprint(tmp_path)}) == 3


def test_component_fingerprint_reads_the_configured_folder(tmp_path: Path) -> None:
    config = {"assessed_examples": str(tmp_path)}
    before = SituationClassifier.fingerprint_addon(config)
    write_rows(tmp_path / "set.jsonl", [row("they egged my door")])

    assert SituationClassifier.fingerprint_addon(config) != before


def test_relative_folder_is_under_the_repository() -> None:
    assert repository_path("nlu/assessed") == REPO_ROOT / "nlu" / "assessed"
    assert repository_path("/srv/assessed") == Path("/srv/assessed")


def test_repository_folder_loads() -> None:
    examples = load_assessed(repository_path("nlu/assessed"))

    assert len(examples) >= 500


ANNOTATED_TEXTS = [
    "a man punched me and said he would kill me right now",
    "he is outside my door with a knife right now",
    "someone spat at me on the bus",
    "they kicked my dog and laughed",
    "got called names at school",
    "my neighbour shouted at me again",
] * 2
ANNOTATED_LABELS = [
    {("urgency", "danger_now"), ("incident_type", "physical_assault")},
    {("urgency", "danger_now")},
    {("incident_type", "physical_assault")},
    {("incident_type", "physical_assault")},
    {("incident_type", "verbal_abuse")},
    {("incident_type", "verbal_abuse")},
] * 2


def fit_with(assessed: list[AssessedExample]) -> SituationModel:
    return SituationModel({}, folds=2, assessed_weight=2.0).fit(
        ANNOTATED_TEXTS, [set(labels) for labels in ANNOTATED_LABELS], assessed
    )


def test_assessed_examples_teach_their_own_labels() -> None:
    religion = ("characteristic", "religion")
    assessed = [
        AssessedExample(f"they tore up my quran {number}", frozenset({religion}))
        for number in range(4)
    ]

    model = fit_with(assessed)

    assert "characteristic:religion" in model.classifiers
    assert model.predict("they tore up my quran again")[0] >= {religion}


def danger_now(model: SituationModel) -> float:
    return model.probabilities("he is outside my door with a knife right now")[
        "urgency:danger_now"
    ]


def test_urgent_assessed_examples_skip_urgency() -> None:
    # Urgent messages labelled whole do not say which urgency label applies.
    # Counted as negatives of danger now, they would lower its probability.
    urgent = [
        AssessedExample(text, frozenset(), urgent=True)
        for text in ANNOTATED_TEXTS[:2] * 6
    ]

    assert danger_now(fit_with(urgent)) == pytest.approx(
        danger_now(fit_with([])), abs=0.15
    )


def test_urgent_examples_stating_the_kind_teach_it() -> None:
    # The probe shares little wording with the annotated danger-now examples,
    # so mainly the messages labelled whole can teach the model its wording.
    probe = "lads banging on the windows of my flat, still out there"
    stated = [
        AssessedExample(
            f"lads banging on my windows {place}, still out there",
            frozenset({("urgency", "danger_now")}),
            urgent=True,
        )
        for place in ("in syston", "in wigston", "in hinckley", "in melton") * 3
    ]
    unstated = [AssessedExample(e.text, frozenset(), urgent=True) for e in stated]

    def probability(extra: list[AssessedExample]) -> float:
        return fit_with(extra).probabilities(probe)["urgency:danger_now"]

    assert probability(stated) > probability(unstated) + 0.3


def test_urgent_example_is_negative_of_kind_not_stated() -> None:
    # A message of danger now teaches the self-harm label that it is not one.
    texts = [*ANNOTATED_TEXTS, "i took all my pills", "i want to end it tonight"] * 2
    labels = [*ANNOTATED_LABELS, *[{("urgency", "self_harm")}] * 2] * 2
    stated = [
        AssessedExample(
            "he is outside my door with a knife right now",
            frozenset({("urgency", "danger_now")}),
            urgent=True,
        )
    ] * 12
    unstated = [AssessedExample(e.text, frozenset(), urgent=True) for e in stated]

    def self_harm(extra: list[AssessedExample]) -> float:
        model = SituationModel({}, folds=2, assessed_weight=2.0).fit(
            texts, [set(row) for row in labels], extra
        )
        return model.probabilities("he is outside my door with a knife right now")[
            "urgency:self_harm"
        ]

    assert self_harm(stated) < self_harm(unstated)


def test_calm_assessed_examples_lower_urgency() -> None:
    calm = [AssessedExample(text, frozenset()) for text in ANNOTATED_TEXTS[:2] * 6]

    assert danger_now(fit_with(calm)) < danger_now(fit_with([])) - 0.3


def test_assessed_examples_skip_faith() -> None:
    texts = ["they ripped off my hijab", "they shouted at me", "they spat on me"] * 3
    labels = [{("faith", "muslim")}, set(), set()] * 3
    assessed = [
        AssessedExample("they ripped off my hijab", frozenset()) for _ in range(20)
    ]

    def muslim(extra: list[AssessedExample]) -> float:
        model = SituationModel({}, folds=2, assessed_weight=2.0).fit(
            list(texts), [set(row) for row in labels], extra
        )
        return model.probabilities("they ripped off my hijab")["faith:muslim"]

    assert muslim(assessed) == pytest.approx(muslim([]), abs=0.15)


def test_load_reads_urgent(tmp_path: Path) -> None:
    write_rows(tmp_path / "set.jsonl", [row("hes outside now", urgent=True), row("x")])

    assert [example.urgent for example in load_assessed(tmp_path)] == [True, False]


def test_load_reads_kind_of_urgency(tmp_path: Path) -> None:
    write_rows(
        tmp_path / "set.jsonl",
        [
            row("hes outside now", urgent=True, urgency=["danger_now"]),
            row(
                "hes outside, i want to die",
                urgent=True,
                urgency=["danger_now", "self_harm"],
            ),
            row("hes outside now", urgent=True),
        ],
    )

    examples = load_assessed(tmp_path)

    assert examples[0].labels == {("urgency", "danger_now")}
    assert examples[1].labels == {("urgency", "danger_now"), ("urgency", "self_harm")}
    assert [example.urgency_known for example in examples] == [True, True, False]


@pytest.mark.parametrize(
    "fields",
    [
        {"urgent": False, "urgency": ["danger_now"]},
        {"urgent": True, "urgency": []},
        {"urgent": True, "urgency": "danger_now"},
        {"urgent": True, "urgency": ["crisis"]},
    ],
    ids=["calm", "empty", "text", "unknown"],
)
def test_load_rejects_invalid_urgency(tmp_path: Path, fields: dict) -> None:
    write_rows(tmp_path / "set.jsonl", [row("hes outside now", **fields)])

    with pytest.raises(AssessedFileError, match="invalid urgency"):
        load_assessed(tmp_path)


def test_load_rejects_text_urgent(tmp_path: Path) -> None:
    write_rows(tmp_path / "set.jsonl", [row("hes outside now", urgent="yes")])

    with pytest.raises(AssessedFileError, match="invalid urgent"):
        load_assessed(tmp_path)


def test_not_hate_means_not_about_identity(tmp_path: Path) -> None:
    not_about_identity = ("characteristic", "none")
    write_rows(
        tmp_path / "set.jsonl",
        [
            row("im gay but the row was about parking", likely="not_hate"),
            row("a lad shoved me, no idea why", likely="unclear"),
            row("they said it wasnt about my race", likely="not_hate", urgent=False),
            row("called me a p**i", characteristics=["race"], likely="crime"),
        ],
    )

    found = [
        not_about_identity in example.labels for example in load_assessed(tmp_path)
    ]

    assert found == [True, False, True, False]
