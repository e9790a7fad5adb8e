"""The cue rules and cue matching behind the situation classifier."""

from __future__ import annotations

import numpy as np
import pytest

from nlu.components.lexicon import Lexicon
from nlu.components.situation import (
    denied_labels,
    is_non_english,
    predict_entities,
    resolve_conflicts,
    steers_conversation,
    urgency_from_cues,
    verbal_abuse_from_cues,
    weak_second_characteristics,
    weak_urgency,
)
from nlu.components.situation_model import SituationModel, recall_threshold

LEXICON = Lexicon(
    {
        "cue:immediacy": ["right now", "still", "outside"],
        "cue:danger": ["knife", "kill", "banging"],
        "cue:past": ["last week", "yesterday"],
        "cue:self_harm_means": ["all my meds", "end it all"],
        "cue:offender_here_now": ["hes there now", "just walked into"],
        "urgency:self_harm": ["kill myself"],
        "cue:speech": ["shouted", "called me"],
        "characteristic:race": ["p*ki", "racist", "go back to your country"],
        "characteristic:sexual_orientation": ["gay"],
        "faith:muslim": ["hijab"],
        "incident_type:online_abuse": ["comments"],
    }
)


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        ("hes outside right now with a knife", True),
        ("they are still banging on the door", True),
        ("he had a knife last week", False),
        ("they were banging on my door yesterday", False),
        ("he is outside", False),
        ("he said he would kill me", False),
    ],
)
def test_danger_rule_needs_both_cues(text: str, urgent: bool) -> None:
    labels = urgency_from_cues(LEXICON.find(text))

    assert (("urgency", "danger_now") in labels) is urgent


@pytest.mark.parametrize(
    "text",
    [
        "the man who shouted at us last week is at the end of the drive, hes there now",
        "the lad who hit me last year just walked into the pub im in",
    ],
)
def test_offender_here_now_overrides_past(text: str) -> None:
    labels = urgency_from_cues(LEXICON.find(text))

    assert labels == {("urgency", "danger_now")}


def test_self_harm_means_flag_alone() -> None:
    labels = urgency_from_cues(LEXICON.find("i want to take all my meds"))

    assert labels == {("urgency", "self_harm")}


@pytest.mark.parametrize(
    ("text", "denied"),
    [
        ("it was nothing to do with him being gay", True),
        ("i dont think this was racist", True),
        ("it wasnt racist", True),
        ("they wouldnt serve me because im gay", False),
        ("they shouted go back to your country", False),
    ],
)
def test_denied_cue_drops_label(text: str, denied: bool) -> None:
    matches = LEXICON.find(text)
    label = next((m.group, m.label) for m in matches if m.group == "characteristic")

    assert (label in denied_labels(matches)) is denied


def test_spoken_abuse_marks_verbal_abuse() -> None:
    matches = LEXICON.find("a man shouted p*ki at me")
    predicted = {("characteristic", "race")}

    assert verbal_abuse_from_cues(predicted, matches) == {
        ("incident_type", "verbal_abuse")
    }


def test_online_abuse_is_not_verbal() -> None:
    matches = LEXICON.find("comments called me a p*ki")
    predicted = {("characteristic", "race"), ("incident_type", "online_abuse")}

    assert verbal_abuse_from_cues(predicted, matches) == set()


def test_faith_implies_religion() -> None:
    result = resolve_conflicts({("faith", "muslim")}, LEXICON.find("my hijab"))

    assert ("characteristic", "religion") in result


def test_none_overrides_guessed_characteristic() -> None:
    predicted = {("characteristic", "none"), ("characteristic", "disability")}

    result = resolve_conflicts(predicted, LEXICON.find("they took my phone"))

    assert result == {("characteristic", "none")}


def test_named_characteristic_beats_none() -> None:
    predicted = {("characteristic", "none"), ("characteristic", "race")}

    result = resolve_conflicts(predicted, LEXICON.find("called me a p*ki"))

    assert result == {("characteristic", "race")}


def test_none_beats_weaker_named_characteristic() -> None:
    predicted = {("characteristic", "none"), ("characteristic", "sexual_orientation")}
    probabilities = {
        "characteristic:none": 0.99,
        "characteristic:sexual_orientation": 0.89,
    }

    result = resolve_conflicts(
        predicted,
        LEXICON.find("im gay but the fight was about football"),
        probabilities,
    )

    assert result == {("characteristic", "none")}


def test_none_overruling_religion_drops_faith() -> None:
    predicted = {("characteristic", "none"), ("faith", "muslim")}
    probabilities = {"characteristic:none": 0.99, "characteristic:religion": 0.85}

    result = resolve_conflicts(
        predicted, LEXICON.find("im muslim but it was about money"), probabilities
    )

    assert result == {("characteristic", "none")}


def test_stronger_named_characteristic_beats_none() -> None:
    predicted = {("characteristic", "none"), ("characteristic", "race")}
    probabilities = {"characteristic:none": 0.6, "characteristic:race": 0.97}

    result = resolve_conflicts(
        predicted, LEXICON.find("called me a p*ki"), probabilities
    )

    assert result == {("characteristic", "race")}


@pytest.mark.parametrize(
    ("labels", "probability", "dropped"),
    [
        ({"race", "sex_or_gender"}, 0.73, {"sex_or_gender"}),
        ({"race", "sex_or_gender"}, 0.95, set()),
        ({"sex_or_gender"}, 0.4, set()),
        ({"sex_or_gender", "none"}, 0.4, set()),
    ],
)
def test_weak_second_sex_or_gender_dropped(
    labels: set, probability: float, dropped: set
) -> None:
    predicted = {("characteristic", label) for label in labels}
    probabilities = {
        "characteristic:race": 0.99,
        "characteristic:sex_or_gender": probability,
    }

    result = weak_second_characteristics(predicted, probabilities)

    assert result == {("characteristic", label) for label in dropped}


def test_weak_second_sex_or_gender_beside_faith() -> None:
    predicted = {("characteristic", "sex_or_gender"), ("faith", "muslim")}
    probabilities = {"characteristic:sex_or_gender": 0.6}

    result = weak_second_characteristics(predicted, probabilities)

    assert result == {("characteristic", "sex_or_gender")}


def test_starred_slur_matches_whole_word() -> None:
    matches = LEXICON.find("he called me a p*ki")

    assert [(m.group, m.label) for m in matches if m.group != "cue"] == [
        ("characteristic", "race")
    ]


MASKED_LEXICON = Lexicon(
    {
        "characteristic:race": ["nigger"],
        "characteristic:disability": ["nutter", "retard"],
        "incident_type:verbal_abuse": ["nutter"],
    }
)


def test_masked_word_of_two_labels_is_no_cue() -> None:
    matches = MASKED_LEXICON.find("a man called her a dirty n****r")

    assert [(m.group, m.label) for m in matches] == [("incident_type", "verbal_abuse")]


def test_masked_word_of_one_label_stays_a_cue() -> None:
    matches = MASKED_LEXICON.find("he called me a r****d")

    assert [(m.group, m.label) for m in matches] == [("characteristic", "disability")]


def test_unmasked_word_is_never_ambiguous() -> None:
    matches = MASKED_LEXICON.find("he called me a nutter")

    assert {(m.group, m.label) for m in matches} == {
        ("characteristic", "disability"),
        ("incident_type", "verbal_abuse"),
    }


@pytest.mark.parametrize(
    ("intent", "steers"),
    [
        ({"name": "start_again", "confidence": 0.97}, True),
        ({"name": "greet", "confidence": 0.8}, True),
        ({"name": "delete_data", "confidence": 0.99}, True),
        ({"name": "ask_erasure_reference", "confidence": 0.9}, True),
        ({"name": "start_again", "confidence": 0.6}, False),
        ({"name": "describe_incident", "confidence": 0.99}, False),
        ({"name": "crisis", "confidence": 0.99}, False),
        ({}, False),
        (None, False),
    ],
)
def test_steering_needs_confident_intent(intent: dict | None, steers: bool) -> None:
    assert steers_conversation(intent) is steers


def test_weak_urgency_is_low_probability_only() -> None:
    predicted = {
        ("urgency", "self_harm"),
        ("urgency", "danger_now"),
        ("characteristic", "race"),
    }
    probabilities = {"urgency:self_harm": 0.23, "urgency:danger_now": 0.7}

    weak = weak_urgency(predicted, LEXICON.find("i want to start again"), probabilities)

    assert weak == {("urgency", "self_harm")}


def test_weak_urgency_spares_cue_phrase() -> None:
    predicted = {("urgency", "self_harm")}
    matches = LEXICON.find("start again, i want to kill myself")

    assert weak_urgency(predicted, matches, {"urgency:self_harm": 0.2}) == set()


@pytest.mark.parametrize(
    ("intent", "foreign"),
    [
        ({"name": "non_english", "confidence": 1.0}, True),
        ({"name": "non_english", "confidence": 0.6}, False),
        ({"name": "describe_incident", "confidence": 0.99}, False),
        (None, False),
    ],
)
def test_non_english_needs_confident_intent(intent: dict | None, foreign: bool) -> None:
    assert is_non_english(intent) is foreign


@pytest.fixture(scope="module")
def overdose_model() -> SituationModel:
    """Return a model fitted on a few invented messages, with "od" as a cue."""
    texts = [
        "i took an od last night",
        "im going to od on my meds",
        "gonna od tonight",
        "he shouted at me in the street",
        "someone sprayed graffiti on the wall",
        "they called me names at the bus stop",
    ]
    labels: list[set[tuple[str, str]]] = [
        {("urgency", "self_harm")},
        {("urgency", "self_harm")},
        {("urgency", "self_harm")},
        set(),
        set(),
        set(),
    ]
    phrases = {"cue:self_harm_means": ["od"]}
    return SituationModel(phrases, folds=2).fit(texts, labels)


def test_english_cue_marks_self_harm(overdose_model: SituationModel) -> None:
    entities = predict_entities(
        overdose_model,
        "sasiad wyzywa mnie od polaczkow",
        {"name": "describe_incident", "confidence": 0.9},
    )

    assert ("urgency", "self_harm") in {(e["entity"], e["value"]) for e in entities}


def test_non_english_message_has_no_urgency(overdose_model: SituationModel) -> None:
    entities = predict_entities(
        overdose_model,
        "sasiad wyzywa mnie od polaczkow",
        {"name": "non_english", "confidence": 1.0},
    )

    assert not [e for e in entities if e["entity"] == "urgency"]


def test_recall_threshold_keeps_needed_share() -> None:
    positives = [0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4, 0.35, 0.30049, 0.25]
    scores = np.array(positives + [0.01, 0.02])
    targets = np.array([1] * 10 + [0, 0])

    threshold = recall_threshold(scores, targets, 0.9)

    assert threshold == 0.3
    assert int(np.sum((scores >= threshold) & (targets == 1))) == 9


def test_recall_threshold_stays_in_range() -> None:
    scores = np.array([0.02, 0.03, 0.99, 0.01])
    targets = np.array([1, 1, 1, 0])

    assert recall_threshold(scores, targets, 0.9) == 0.1
    assert recall_threshold(scores, np.zeros(4, dtype=int), 0.9) == 0.1
