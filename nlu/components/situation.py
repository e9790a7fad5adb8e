"""Multi-label classifier for the visitor's situation, as a Rasa NLU component.

DIET picks one intent per message, but a visitor's story carries several labels
at once: two targeted characteristics, an assault and verbal abuse, a place, a
sign of danger. This component learns those labels from the entity annotations
in the NLU training data (``[punched me]{"entity": "incident_type", "value":
"physical_assault"}``) and from the cue phrases in lookup tables named
``group:value``. It emits each predicted label as an entity whose value is the
label, so the labels reach slots, stories and ``/model/parse`` like any entity.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Set, Text, Tuple

import joblib
import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlu.components.lexicon import CueMatch, Lexicon, first_match, normalise_text

logger = logging.getLogger(__name__)

MODEL_FILE = "situation_classifier.joblib"

# The entity groups this component predicts. A label of any other entity in the
# training data (places, for example) is left to other components.
LABEL_GROUPS = (
    "characteristic",
    "faith",
    "incident_type",
    "urgency",
    "severity",
    "role",
    "age_group",
)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True
)
class SituationClassifier(GraphComponent, EntityExtractorMixin):
    """Predicts the situation labels of a message and adds them as entities."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Return the default configuration (probability thresholds per group)."""
        return {
            # A label is predicted when the classifier's probability reaches the
            # threshold of its group, or when an undenied cue phrase matches.
            "thresholds": {group: 0.5 for group in LABEL_GROUPS},
            # Labels with fewer positive training examples than this are found
            # by cue phrases only.
            "min_examples": 3,
            # Inverse regularisation strength of each logistic regression.
            "C": 4.0,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[Dict[str, Any]] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SituationClassifier":
        """Create an untrained component."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit one logistic regression per label and store them with the lexicon."""
        lexicon = Lexicon.from_lookup_tables(training_data.lookup_tables)
        examples = [
            example
            for example in training_data.training_examples
            if example.get(TEXT)
        ]
        texts = [example.get(TEXT) for example in examples]
        labels = [example_labels(example) for example in examples]

        word_vectoriser = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1
        )
        char_vectoriser = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
        )
        normalised = [normalise_text(text) for text in texts]
        word_vectoriser.fit(normalised)
        char_vectoriser.fit(normalised)
        self._model = {
            "lexicon_phrases": lexicon.phrases,
            "word_vectoriser": word_vectoriser,
            "char_vectoriser": char_vectoriser,
            "classifiers": {},
        }
        features = self._features(texts, lexicon)

        for group, label in sorted(set().union(*labels) if labels else set()):
            targets = np.array([(group, label) in row for row in labels], dtype=int)
            if targets.sum() < self._config["min_examples"]:
                logger.info("Label %s:%s has too few examples to learn.", group, label)
                continue

            classifier = LogisticRegression(
                C=self._config["C"], class_weight="balanced", max_iter=2000
            )
            classifier.fit(features, targets)
            self._model["classifiers"][f"{group}:{label}"] = classifier

        self.persist()
        return self._resource

    def persist(self) -> None:
        """Write the fitted model to the model storage."""
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self._model, directory / MODEL_FILE)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "SituationClassifier":
        """Load the fitted model, or return an untrained component if it is missing."""
        try:
            with model_storage.read_from(resource) as directory:
                model = joblib.load(directory / MODEL_FILE)
        except (ValueError, FileNotFoundError) as exc:
            logger.warning("No trained situation classifier found (%s).", exc)
            model = None

        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        """Add the predicted situation labels to each message's entities."""
        if self._model is None:
            return messages

        lexicon = Lexicon(self._model["lexicon_phrases"])

        for message in messages:
            text = message.get(TEXT) or ""
            entities = self.add_extractor_name(self.predict_entities(text, lexicon))
            message.set(
                ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True
            )

        return messages

    def predict_entities(self, text: str, lexicon: Lexicon) -> List[Dict[str, Any]]:
        """Return one entity per predicted label of the text."""
        if not text.strip() or self._model is None:
            return []

        matches = lexicon.find(text)
        probabilities = self._probabilities(text, lexicon)
        predicted = self._decide(matches, probabilities)
        predicted = resolve_conflicts(predicted, matches)

        return [
            label_entity(text, group, label, matches, probabilities)
            for group, label in sorted(predicted)
        ]

    def _features(self, texts: List[str], lexicon: Lexicon) -> scipy.sparse.csr_matrix:
        """Build word n-gram, character n-gram and cue-phrase features."""
        assert self._model is not None
        normalised = [normalise_text(text) for text in texts]
        hits = scipy.sparse.csr_matrix(
            np.array([lexicon.hit_vector(text) for text in texts], dtype=float)
        )

        return scipy.sparse.hstack(
            [
                self._model["word_vectoriser"].transform(normalised),
                self._model["char_vectoriser"].transform(normalised),
                hits,
            ]
        ).tocsr()

    def _probabilities(self, text: str, lexicon: Lexicon) -> Dict[str, float]:
        """Return the classifier's probability for every learned label."""
        assert self._model is not None
        features = self._features([text], lexicon)

        return {
            name: float(classifier.predict_proba(features)[0, 1])
            for name, classifier in self._model["classifiers"].items()
        }

    def _decide(
        self, matches: List[CueMatch], probabilities: Dict[str, float]
    ) -> Set[Tuple[str, str]]:
        """Combine classifier probabilities and cue matches into labels."""
        thresholds = self._config["thresholds"]
        predicted = {
            (match.group, match.label)
            for match in matches
            if not match.negated and match.group in LABEL_GROUPS
        }

        for name, probability in probabilities.items():
            group, _, label = name.partition(":")
            if probability >= thresholds.get(group, 0.5):
                predicted.add((group, label))

        return predicted


def example_labels(example: Message) -> Set[Tuple[str, str]]:
    """Collect the ``(group, label)`` pairs annotated on a training example."""
    labels = set()

    for entity in example.get(ENTITIES) or []:
        group = entity.get("entity")
        if group in LABEL_GROUPS and entity.get("value"):
            labels.add((group, str(entity["value"])))

    return labels


def resolve_conflicts(
    predicted: Set[Tuple[str, str]], matches: List[CueMatch]
) -> Set[Tuple[str, str]]:
    """Make the label set consistent.

    A faith implies religion as a targeted characteristic. "Not about who I am"
    (``characteristic:none``) overrides characteristics that only the classifier
    guessed, but not characteristics named by a cue phrase.
    """
    result = set(predicted)

    if any(group == "faith" for group, _ in result):
        result.add(("characteristic", "religion"))

    characteristics = {label for group, label in result if group == "characteristic"}
    if "none" in characteristics and len(characteristics) > 1:
        named = {
            label
            for label in characteristics - {"none"}
            if first_match(matches, "characteristic", label) is not None
        }
        result -= {("characteristic", label) for label in characteristics}
        result |= {("characteristic", label) for label in named or {"none"}}

    return result


def label_entity(
    text: str,
    group: str,
    label: str,
    matches: List[CueMatch],
    probabilities: Dict[str, float],
) -> Dict[str, Any]:
    """Build the entity for a label, placed on its cue phrase where there is one."""
    match = first_match(matches, group, label)
    start, end = (match.start, match.end) if match else (0, len(text))
    confidence = 1.0 if match else probabilities.get(f"{group}:{label}", 0.0)

    return {
        "entity": group,
        "value": label,
        "start": start,
        "end": min(end, len(text)),
        "confidence": round(confidence, 3),
    }
