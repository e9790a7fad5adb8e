"""Street names without a house number ("i live on hazel close")."""

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from directory.redaction.lexicon import NameLexicon, normalise_phrase
from directory.redaction.patterns import ADDRESS, is_street_name_word

# Suffixes that mark a street even without a house number. Weaker ones such as
# "park", "green" or "gate" are left out: "car park", "school gate".
STREET_SUFFIX = re.compile(
    r"(?<![\w])(?:road|rd|street|st|lane|ln|avenue|ave|close|drive|crescent|cres|"
    r"grove|terrace|mews|gardens|gdns)(?![\w])",
    re.IGNORECASE,
)
WORD_BEFORE = re.compile(r"([a-z][a-z'\-]*)[ \t]+$", re.IGNORECASE)
LONG_SUFFIXES = {"rd": "road", "st": "street", "ln": "lane", "ave": "avenue"}
MAX_NAME_WORDS = 2
SCORE = 0.5
RECOGNIZER_NAME = "StreetNameRecognizer"


class StreetNameRecognizer(EntityRecognizer):
    """Street names made of up to two street-name words and a suffix.

    Main roads from the project's place files (kind `street`, such as "Melton
    Road") are kept when they come without a house number, because they say
    where something happened without pointing at a home. Every other street is
    redacted as an address.
    """

    def __init__(self, lexicon: NameLexicon) -> None:
        self.lexicon = lexicon
        super().__init__(
            supported_entities=[ADDRESS],
            name=RECOGNIZER_NAME,
            supported_language="en",
        )

    def load(self) -> None:
        """Load nothing: the lexicon is passed in built."""

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
    ) -> list[RecognizerResult]:
        """Return one result for each street name that is not a main road."""
        results = []
        for suffix in STREET_SUFFIX.finditer(text):
            start = suffix.start()
            name_words: list[str] = []
            while len(name_words) < MAX_NAME_WORDS:
                match = WORD_BEFORE.search(text, 0, start)
                if match is None:
                    break
                word = normalise_phrase(match.group(1))
                if not word or not is_street_name_word(word, self.lexicon):
                    break
                name_words.insert(0, word)
                start = match.start(1)
            if not name_words or self._is_main_road(name_words, suffix.group()):
                continue
            if " ".join([*name_words, suffix.group().lower()]) in (
                self.lexicon.place_names
            ):
                continue  # a neighbourhood named after its road: "Saffron Lane"
            if suffix.group().lower() == "st" and text[suffix.start()].islower():
                # "st" in lower case is more often "saint" or a typo than "Street".
                continue
            results.append(
                RecognizerResult(
                    entity_type=ADDRESS,
                    start=start,
                    end=suffix.end(),
                    score=SCORE,
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: RECOGNIZER_NAME,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    },
                )
            )
        return results

    def _is_main_road(self, name_words: list[str], suffix: str) -> bool:
        full_suffix = LONG_SUFFIXES.get(suffix.lower(), suffix.lower())
        for first in range(len(name_words)):
            street = " ".join([*name_words[first:], full_suffix])
            if street in self.lexicon.street_names:
                return True
        return False
