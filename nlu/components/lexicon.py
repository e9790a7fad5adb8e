"""Cue-phrase matching for the situation labels, built from Rasa lookup tables.

A lookup table named ``group:value`` (for example ``characteristic:race``) lists
the words and phrases that point to that label. Matching is on lowercase text
with word boundaries, so ``p*ki`` and ``go back to your country`` match as
written, and ``race`` does not match inside ``embrace``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Set, Tuple

LABEL_SEPARATOR = ":"

# Phrases that, right before a cue, deny it: "nothing to do with race", "i dont
# think it was about my religion", "it wasnt racist". A denied cue does not
# count as a match. Plain negations ("they wouldn't serve me because i'm
# black") do not deny the cue, so only denials of the motive are listed.
_NEGATOR = (
    r"(?:\bnot\b|\bnothing\b|\bnever\b|\bno\b|\bwasn'?t\b|\bisn'?t\b|"
    r"\bweren'?t\b|\bdon'?t\b|\bdidn'?t\b|\bdoesn'?t\b)"
)
_MOTIVE = (
    r"(?:about|because(?:\s+of)?|to\s+do\s+with|related\s+to|due\s+to|"
    r"think\s+(?:it|this|that)\s+was|think\s+it'?s|think\s+(?:it|this|that)\s+is)"
)
NEGATION_PATTERN = re.compile(
    rf"(?:{_NEGATOR}(?:\s+[\w']+){{0,4}}?\s+{_MOTIVE}\s+(?:[\w']+\s+){{0,3}}"
    rf"|\b(?:wasn'?t|isn'?t|weren'?t)\s+(?:really\s+)?)$"
)

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_SPACES = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Lowercase the text and unify apostrophes.

    Offsets into the result match the original text except after the rare
    characters whose lowercase form is longer, such as "İ".
    """
    return text.translate(_APOSTROPHES).lower()


def _word_pattern(word: str) -> str:
    """Escape a word for a regex, letting an asterisk stand for any letter but
    the first, so that ``ch*nk`` and ``n*ggers`` match ``chink`` and ``niggers``.

    Words shorter than four characters must match as written: masking them
    would match too much.
    """
    if len(word) < 4:
        return re.escape(word)
    rest = "".join(
        f"[{char}*]" if char.isalpha() else re.escape(char) for char in word[1:]
    )
    return re.escape(word[0]) + rest


def _phrase_pattern(phrase: str) -> str:
    """Escape a phrase for a regex, letting any run of spaces match its spaces."""
    words = _SPACES.split(phrase.strip())
    return r"\s+".join(_word_pattern(word) for word in words)


@dataclass(frozen=True)
class CueMatch:
    """A cue phrase found in a message, with its character offsets."""

    group: str
    label: str
    start: int
    end: int
    negated: bool


class Lexicon:
    """Cue phrases per ``(group, label)``, compiled to one regex per label."""

    def __init__(self, phrases: Dict[str, List[str]]) -> None:
        self.phrases = {name: sorted(set(items)) for name, items in phrases.items()}
        self._patterns: List[Tuple[str, str, re.Pattern[str]]] = []

        for name, items in sorted(self.phrases.items()):
            group, label = split_table_name(name)
            cleaned = [normalise_text(item) for item in items if item.strip()]
            if not cleaned:
                continue

            # Longest phrases first, so the alternation prefers the fuller match.
            alternatives = "|".join(
                _phrase_pattern(phrase)
                for phrase in sorted(cleaned, key=len, reverse=True)
            )
            pattern = re.compile(rf"(?<![\w*])(?:{alternatives})(?![\w*])")
            self._patterns.append((group, label, pattern))

    @classmethod
    def from_lookup_tables(cls, lookup_tables: Iterable[Dict]) -> Lexicon:
        """Build a lexicon from Rasa lookup tables whose names contain a colon."""
        phrases: Dict[str, List[str]] = {}

        for table in lookup_tables:
            name = table.get("name", "")
            elements = table.get("elements", [])
            if LABEL_SEPARATOR not in name or not isinstance(elements, list):
                continue
            phrases.setdefault(name, []).extend(str(item) for item in elements)

        return cls(phrases)

    @property
    def table_names(self) -> List[str]:
        """Names of the tables, in the order used for feature columns."""
        return [
            f"{group}{LABEL_SEPARATOR}{label}" for group, label, _ in self._patterns
        ]

    def find(self, text: str) -> List[CueMatch]:
        """Find every cue phrase in the text, marking the denied ones."""
        normalised = normalise_text(text)
        matches = []

        for group, label, pattern in self._patterns:
            for found in pattern.finditer(normalised):
                before = normalised[max(0, found.start() - 60) : found.start()]
                negated = bool(NEGATION_PATTERN.search(before))
                matches.append(
                    CueMatch(group, label, found.start(), found.end(), negated)
                )

        return _without_ambiguous_masks(matches, normalised)

    def hit_vector(self, matches: List[CueMatch]) -> List[float]:
        """Return one feature per table: 1.0 where an undenied cue matched."""
        hits = {
            f"{match.group}{LABEL_SEPARATOR}{match.label}"
            for match in matches
            if not match.negated
        }
        return [1.0 if name in hits else 0.0 for name in self.table_names]


def _without_ambiguous_masks(matches: List[CueMatch], text: str) -> List[CueMatch]:
    """Drop masked words that read as cues of several labels of one group.

    "n****r" fits a racist slur and "nutter" alike, so it is evidence for
    neither label and is left to the classifier, which learns masked words
    from the training examples.
    """
    labels_by_span: Dict[Tuple[str, int, int], Set[str]] = {}
    for match in matches:
        if "*" in text[match.start : match.end]:
            span = (match.group, match.start, match.end)
            labels_by_span.setdefault(span, set()).add(match.label)

    return [
        match
        for match in matches
        if len(labels_by_span.get((match.group, match.start, match.end), ())) < 2
    ]


def split_table_name(name: str) -> Tuple[str, str]:
    """Split ``characteristic:race`` into ``("characteristic", "race")``."""
    group, _, label = name.partition(LABEL_SEPARATOR)
    return group.strip(), label.strip()


def first_match(matches: List[CueMatch], group: str, label: str) -> Optional[CueMatch]:
    """Return the first undenied match of a label, if any."""
    for match in matches:
        if match.group == group and match.label == label and not match.negated:
            return match
    return None
