"""Marks messages made mostly of words never seen in training as not understood.

DIET always picks some intent, often with high confidence, even for keyboard
mashing or a sentence about something else entirely. This component records
the words of the training data and, when most words of a message are new to
it, lowers the intent confidence to zero so that the FallbackClassifier that
follows turns the intent into ``nlu_fallback``. Words inside entities found by
earlier components (place names, for example) count as known.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Dict, List, Optional, Set

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

VOCABULARY_FILE = "vocabulary.json"
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")

# Intents that this component leaves alone: their messages are not English
# words, or were already judged by another component.
EXEMPT_INTENTS = {"non_english", "nlu_fallback"}


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class VocabularyGuard(GraphComponent):
    """Sends messages of mostly unknown words to the fallback."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Return the default configuration."""
        return {
            # Share of a message's words that must be unknown to mark it.
            "max_unknown_share": 0.6,
            # Messages with fewer words than this are left alone, so that a
            # one-word answer is judged by the intent classifier.
            "min_words": 2,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: Optional[Set[str]] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._vocabulary = vocabulary or set()

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VocabularyGuard:
        """Create an untrained component."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Record every word of the training examples and lookup tables."""
        words: Set[str] = set()

        for example in training_data.training_examples:
            words.update(_WORD.findall((example.get(TEXT) or "").lower()))
        for table in training_data.lookup_tables:
            for element in table.get("elements") or []:
                words.update(_WORD.findall(str(element).lower()))

        self._vocabulary = words
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(json.dumps(sorted(words)))
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> VocabularyGuard:
        """Load the recorded vocabulary."""
        try:
            with model_storage.read_from(resource) as directory:
                words = json.loads((directory / VOCABULARY_FILE).read_text())
        except (ValueError, FileNotFoundError) as exc:
            logger.warning("No vocabulary found; the guard is off (%s).", exc)
            words = []

        return cls(config, model_storage, resource, set(words))

    def process(self, messages: List[Message]) -> List[Message]:
        """Set the intent confidence to zero for messages of unknown words."""
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get("name") in EXEMPT_INTENTS or not self._vocabulary:
                continue

            if self.unknown_share(message) > self._config["max_unknown_share"]:
                message.set(INTENT, {**intent, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)

        return messages

    def unknown_share(self, message: Message) -> float:
        """Return the share of the message's words that training never showed."""
        text = (message.get(TEXT) or "").lower()
        if text.startswith("/"):
            return 0.0

        covered = [
            (entity.get("start", 0), entity.get("end", 0))
            for entity in message.get(ENTITIES) or []
            if entity.get("extractor") == "PlaceExtractor"
        ]
        words = [
            found.group()
            for found in _WORD.finditer(text)
            if not any(start <= found.start() < end for start, end in covered)
        ]
        if len(words) < self._config["min_words"]:
            return 0.0

        unknown = sum(1 for word in words if word not in self._vocabulary)
        return unknown / len(words)
