"""Detects messages written in a language other than English.

The assistant works in English only. A message in Polish, Urdu, Arabic or
another language should get a plain-English reply with 999, 101 and services
that offer interpreters, instead of a guess at its meaning. This component runs
after the intent classifier and replaces the intent with ``non_english`` when
the text is clearly not English.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path
from typing import Any, Dict, List, Set

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

logger = logging.getLogger(__name__)

NON_ENGLISH_INTENT = "non_english"
WORD_LIST_FILE = Path(__file__).with_name("language_words.yml")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class LanguageDetector(GraphComponent):
    """Replaces the intent with ``non_english`` for text that is not English."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Return the default configuration."""
        return {
            # Share of letters outside the Latin script above which a message
            # is treated as written in another script (Arabic, Urdu, Cyrillic).
            "non_latin_share": 0.5,
            # Minimum number of common words of other languages needed when no
            # common English word appears.
            "min_foreign_words": 2,
        }

    def __init__(self, config: Dict[str, Any]) -> None:
        self._config = {**self.get_default_config(), **config}
        words = yaml.safe_load(WORD_LIST_FILE.read_text(encoding="utf-8"))
        self._english: Set[str] = set(words["english"])
        self._foreign: Set[str] = set(words["other_languages"])

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        """Create the component."""
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        """Set the ``non_english`` intent on messages that are not English."""
        for message in messages:
            if self.is_non_english(message.get(TEXT) or ""):
                intent = {"name": NON_ENGLISH_INTENT, "confidence": 1.0}
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)

        return messages

    def is_non_english(self, text: str) -> bool:
        """Return whether the text is clearly in a language other than English."""
        letters = [char for char in text if char.isalpha()]
        if not letters:
            return False

        non_latin = sum(1 for char in letters if not _is_latin(char))
        if non_latin / len(letters) > self._config["non_latin_share"]:
            return True

        words = [word.lower() for word in _WORD.findall(text)]
        english = sum(1 for word in words if word in self._english)
        foreign = sum(1 for word in words if _strip_accents(word) in self._foreign)
        accented = sum(1 for word in words if _strip_accents(word) != word)

        if english > 0:
            return foreign >= 3 * english and foreign >= 3
        return foreign >= self._config["min_foreign_words"] or (
            accented >= 2 and len(words) >= 3
        )


def _is_latin(char: str) -> bool:
    """Return whether a letter belongs to the Latin script."""
    try:
        return "LATIN" in unicodedata.name(char)
    except ValueError:
        return False


def _strip_accents(word: str) -> str:
    """Remove diacritics, so that ``się`` and ``sie`` compare equal."""
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped.replace("ł", "l")
