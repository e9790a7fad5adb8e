"""The situation model with a sentence encoder beside its logistic regressions."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.components.encoder import SentenceClassifier
from nlu.components.situation_model import SituationModel
from tests.nlu.test_encoder import random_weights, settings, write_model

TEXTS = [
    "the man shouted at me on the bus",
    "he shouted racist things at me",
    "someone kicked my car",
    "a man punched me",
    "they called me a paki",
    "he wrote on my door",
] * 2
LABELS = [
    {("incident_type", "verbal_abuse")},
    {("incident_type", "verbal_abuse"), ("characteristic", "race")},
    {("incident_type", "criminal_damage")},
    {("incident_type", "physical_assault")},
    {("incident_type", "verbal_abuse"), ("characteristic", "race")},
    {("incident_type", "criminal_damage")},
] * 2
TEXT = "the man shouted at me"


@pytest.fixture
def encoder(tmp_path: Path) -> SentenceClassifier:
    return SentenceClassifier.load(write_model(tmp_path, random_weights(), settings()))


def fit(encoder: SentenceClassifier | None) -> SituationModel:
    return SituationModel({}, folds=2, encoder=encoder, encoder_weight=0.5).fit(
        TEXTS, LABELS
    )


def test_probability_averages_encoder(encoder: SentenceClassifier) -> None:
    alone = fit(None).probabilities(TEXT)
    together = fit(encoder).probabilities(TEXT)
    from_encoder = encoder.probabilities(TEXT)

    for name in ("characteristic:race", "incident_type:verbal_abuse"):
        expected = (alone[name] + from_encoder[name]) / 2
        assert together[name] == pytest.approx(expected)


def test_label_unknown_to_encoder_unchanged(encoder: SentenceClassifier) -> None:
    alone = fit(None).probabilities(TEXT)
    together = fit(encoder).probabilities(TEXT)

    assert (
        together["incident_type:criminal_damage"]
        == alone["incident_type:criminal_damage"]
    )


def test_urgency_ignores_encoder(encoder: SentenceClassifier) -> None:
    texts = TEXTS + ["hes outside with a knife right now"] * 4
    labels = LABELS + [{("urgency", "danger_now")}] * 4

    def danger(model_encoder: SentenceClassifier | None) -> tuple:
        model = SituationModel({}, folds=2, encoder=model_encoder).fit(texts, labels)
        return model.probabilities(TEXT)["urgency:danger_now"], model.thresholds[
            "urgency:danger_now"
        ]

    assert danger(encoder) == danger(None)


def test_threshold_averages_with_half(encoder: SentenceClassifier) -> None:
    alone = fit(None).thresholds
    together = fit(encoder).thresholds

    assert together["characteristic:race"] == pytest.approx(
        (alone["characteristic:race"] + 0.5) / 2
    )
    assert (
        together["incident_type:criminal_damage"]
        == alone["incident_type:criminal_damage"]
    )


def test_model_without_encoder_unpickles() -> None:
    model = fit(None)
    state = model.__getstate__()
    del state["encoder"]
    restored = SituationModel.__new__(SituationModel)

    restored.__setstate__(state)

    assert restored.encoder is None
    assert restored.probabilities(TEXT) == model.probabilities(TEXT)
