"""Words written in scripts other than the Latin alphabet, redacted as names.

The name lists, cues and everyday words of the other recognisers are all in
the Latin alphabet, so a name typed in Devanagari, Gujarati, Gurmukhi,
Bengali, Arabic or Urdu, Cyrillic or Chinese characters would pass unseen. No
model here can tell a name from other words in those scripts, and a missed
name is worse than an over-redacted word. So every run of such words becomes
one PERSON span, except the words of `kept_words.txt`.
"""

import regex
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from directory.redaction.lexicon import NameLexicon
from directory.redaction.patterns import PERSON

# A word is letters of any script with their combining marks, because the
# vowel signs of Devanagari, Bengali and Gurmukhi are marks. Its parts may be
# joined by apostrophes, hyphens and the Hebrew maqaf. They may also be joined
# by the zero-width (non-)joiners of Persian, Urdu and the Indic scripts, and
# by the middle dots between the parts of a foreign name in Chinese and
# Japanese.
WORD = regex.compile(
    r"(?<![\p{L}\p{M}])[\p{L}\p{M}]+"
    r"(?:['\u2019\-\u05be\u200c\u200d\u00b7\u30fb][\p{L}\p{M}]+)*"
    r"(?![\p{L}\p{M}])"
)
# A letter of a script other than Latin. Letters of the Common and Inherited
# scripts, such as the modifier apostrophe U+02BC, also occur in English text.
NON_LATIN_LETTER = regex.compile(
    r"[\p{L}--\p{Script=Latin}--\p{Script=Common}--\p{Script=Inherited}]",
    flags=regex.V1,
)
# Separator of two words of one run: spaces and tabs. A line break or
# punctuation ends the run, so "राजेश, सुनील" gives two spans.
RUN_GAP = regex.compile(r"[^\S\r\n\f\v\u2028\u2029]+")

SCRIPT_SCORE = 0.8
RECOGNIZER_NAME = "NonLatinScriptRecognizer"


def is_non_latin_word(word: str) -> bool:
    """Tell whether `word` has a letter of a script other than Latin."""
    return NON_LATIN_LETTER.search(word) is not None


class NonLatinScriptRecognizer(EntityRecognizer):
    """Presidio recogniser that returns each run of non-Latin words as PERSON."""

    def __init__(self, lexicon: NameLexicon) -> None:
        self.lexicon = lexicon
        super().__init__(
            supported_entities=[PERSON], name=RECOGNIZER_NAME, supported_language="en"
        )

    def load(self) -> None:
        """Load nothing: the lexicon is passed in built."""

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
    ) -> list[RecognizerResult]:
        """Return one result for each run of non-Latin words in `text`."""
        return [
            RecognizerResult(
                entity_type=PERSON,
                start=start,
                end=end,
                score=SCRIPT_SCORE,
                recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: RECOGNIZER_NAME,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                },
            )
            for start, end in self.find_runs(text)
        ]

    def find_runs(self, text: str) -> list[tuple[int, int]]:
        """Return the (start, end) offsets of the runs of non-Latin words that
        are not kept words, in reading order."""
        runs: list[tuple[int, int]] = []
        for match in WORD.finditer(text):
            if not self._is_redacted_word(match.group()):
                continue
            start, end = match.span()
            if runs and RUN_GAP.fullmatch(text[runs[-1][1] : start]):
                runs[-1] = (runs[-1][0], end)
            else:
                runs.append((start, end))
        return runs

    def _is_redacted_word(self, word: str) -> bool:
        if not is_non_latin_word(word):
            return False
        key = word.lower().replace("'", "").replace("\u2019", "")
        return key not in self.lexicon.kept_words
