"""People's names, found without a named-entity model.

No trained NER model can be installed here, so the recogniser combines these
signals, strongest first:

1. cue phrases: "called", "named", "his name is", "known as", titles such as
   "Mr" and "Mrs", then relations such as "my neighbour" or "my ex";
2. the first-name lists of `lexicon` (Faker's locales plus the project's own);
3. a capital letter on a word inside a sentence that is not an everyday word,
   a kept word or a place name;
4. words after an unknown word: a following cue ("sigrun said", "kasia from
   next door") or a listed surname ("dympna roberts");
5. a word joined by "and" to a name found by 1 to 4 ("neil and sigrun").

Cue words of four letters or more also count when typed with one letter
swapped with the next, dropped or doubled ("neighbuor", "nxt door"), unless
the typed word is itself in a word list.

Each name then takes the surnames and capitalised words straight after it,
and a one-word name also a lower-case word that is in no word list ("dave
smithers").

It prefers redacting too much to missing a name: any word after "called" that
is not an everyday word counts, whatever its case.
"""

import re
from dataclasses import dataclass

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from spacy.lang.en.stop_words import STOP_WORDS

from directory.redaction.lexicon import (
    NameLexicon,
    expand_street_suffix,
    fold_accents,
    normalise_phrase,
)
from directory.redaction.patterns import PERSON

# Words of letters only: "N3" or "le4" belong to a postcode, not a name.
WORD = re.compile(r"(?<![\w])[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*(?![\w])")
POSSESSIVE = re.compile(r"['\u2019]s$", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?:^|[.!?\n:;\"\u201c(]\s*)$")
# Characters allowed between a cue and the name: spaces, quotes and a colon
# ("called 'Dave'", "name: Dave"), and after a title also a full stop
# ("Mr. Khan").
CUE_GAP = re.compile(r"^[ \t:'\"\u2018\u2019\u201c\u201d-]*$")
TITLE_GAP = re.compile(r"^[ \t.:'\"\u2018\u2019\u201c\u201d-]*$")

STRONG_CUES = (
    ("called",),
    ("named",),
    ("name", "is"),
    ("name", "was"),
    ("names", "are"),
    ("known", "as"),
    ("goes", "by"),
    ("go", "by"),
    ("calls", "himself"),
    ("calls", "herself"),
    ("calls", "themselves"),
    ("nicknamed",),
    ("aka",),
    ("a", "k", "a"),
    ("surname",),
    ("surname", "is"),
)
TITLES = frozenset(
    "mr mrs ms miss mx dr mister missus sir madam lady lord prof rev father "
    "sister brother imam rabbi pastor reverend".split()
)
# Titles that are also everyday words need a capital letter on the title or
# the name: "Father Tom" but not "my father was".
CAPITALISED_TITLES = frozenset({"father", "sister", "brother", "lady", "lord", "sir"})
RELATIONS = frozenset(
    "neighbour neighbours neighbor neighbors partner ex husband wife boyfriend "
    "girlfriend friend friends mate mates brother sister son daughter boss "
    "manager colleague colleagues coworker co-worker landlord landlady "
    "teacher cousin uncle aunt auntie nephew niece dad mum mom father mother "
    "stepdad stepmum carer flatmate housemate tenant supervisor classmate "
    "grandson granddaughter nan gran grandad grandma bf gf hubby bro sis "
    "fiance fiancee lodger caretaker employer".split()
)
# Words after a name that mark the word before them as a name when it is not
# an everyday word: "sigrun said", "kasia from next door".
FOLLOWING_CUES = (
    ("said",),
    ("says",),
    ("told",),
    ("keeps",),
    ("kept",),
    ("threatened",),
    ("shouted",),
    ("spat",),
    ("punched",),
    ("pushed",),
    ("hit", "me"),
    ("called", "me"),
    ("called", "us"),
    ("from", "next", "door"),
    ("next", "door"),
    ("from", "number"),
    ("at", "number"),
    ("from", "the", "flats"),
    ("from", "school"),
    ("from", "work"),
)
# Words that, before a word, make it a noun phrase rather than a name.
DETERMINERS = frozenset(
    "the a an this that these those my his her their our your".split()
)
COORDINATORS = frozenset({"and", "&", "or", "n"})

# Shorter cue words ("ex", "mum", "son") are one typing error away from too
# many other words.
MIN_TYPO_CUE_LETTERS = 4

STRONG_CUE_SCORE = 0.85
RELATION_SCORE = 0.75
LIST_SCORE = 0.7
CAPITALISED_SCORE = 0.5
FOLLOWING_SCORE = 0.6
MAX_NAME_WORDS = 4
RECOGNIZER_NAME = "NameRecognizer"


@dataclass
class Word:
    """A word of the text with the facts the rules need."""

    start: int
    end: int
    raw_end: int
    text: str
    raw: str
    base: str
    capitalised: bool
    sentence_start: bool
    # The cue word that `base` is a typing error of, or `base` itself.
    cue_base: str
    in_place_name: bool = False


class NameRecognizer(EntityRecognizer):
    """Presidio recogniser for people's names, as described in the module."""

    def __init__(self, lexicon: NameLexicon) -> None:
        self.lexicon = lexicon
        self.cue_typos = cue_typos(lexicon)
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
        """Return one result for each run of name words in `text`."""
        words = split_words(text)
        for word in words:
            word.cue_base = self.cue_typos.get(word.base, word.base)
        self._mark_place_names(words)
        runs: list[tuple[int, int, float]] = []
        index = 0
        while index < len(words):
            score = self._name_score(text, words, index)
            if score is None:
                index += 1
                continue
            last = self._extend(text, words, index)
            runs.append((index, last, score))
            index = last + 1
        runs = self._add_coordinated(text, words, runs)
        return [
            RecognizerResult(
                entity_type=PERSON,
                start=words[first].start,
                end=words[last].end,
                score=score,
                recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: RECOGNIZER_NAME,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                },
            )
            for first, last, score in runs
        ]

    def _extend(self, text: str, words: list[Word], index: int) -> int:
        """Return the index of the last word of the name starting at `index`."""
        last = index
        while last + 1 < len(words) and last - index + 1 < MAX_NAME_WORDS:
            name_is_one_word = last == index
            if not self._continues_name(
                text, words[last], words[last + 1], name_is_one_word
            ):
                break
            last += 1
        return last

    def _add_coordinated(
        self, text: str, words: list[Word], runs: list[tuple[int, int, float]]
    ) -> list[tuple[int, int, float]]:
        """Add unknown words joined to a found name by "and" or "&" ("neil and
        sigrun", "sigrun & neil")."""
        taken = {index for first, last, _ in runs for index in range(first, last + 1)}
        added = []
        for first, last, score in runs:
            for candidate, joiner in ((last + 2, last + 1), (first - 2, first - 1)):
                if not 0 <= candidate < len(words) or candidate in taken:
                    continue
                if words[joiner].base not in COORDINATORS:
                    continue
                word = words[candidate]
                if len(word.base) > 1 and self._is_unknown_name(word):
                    end = self._extend(text, words, candidate)
                    added.append((candidate, end, score))
                    taken.update(range(candidate, end + 1))
        return sorted(runs + added)

    def _name_score(self, text: str, words: list[Word], index: int) -> float | None:
        """Return the score of `words[index]` as the first word of a name, or
        None when it is not one."""
        base = words[index].base
        if len(base) < 2 or base in TITLES:
            return None
        cue_score = self._cue_score(text, words, index)
        if cue_score is not None:
            return cue_score
        return self._word_score(text, words, index)

    def _cue_score(self, text: str, words: list[Word], index: int) -> float | None:
        """Score `words[index]` by the cue before it: "called", a title or a
        relation such as "my neighbour"."""
        word = words[index]
        base = word.base
        lexicon = self.lexicon
        if self._after_strong_cue(text, words, index):
            if base in lexicon.first_names and base not in CUE_STOP_WORDS:
                return STRONG_CUE_SCORE
            if base not in lexicon.common_words and base not in lexicon.kept_words:
                return STRONG_CUE_SCORE
            if word.capitalised and base not in CUE_STOP_WORDS:
                return STRONG_CUE_SCORE

        if self._after_title(text, words, index) and base not in CUE_STOP_WORDS:
            return STRONG_CUE_SCORE

        if self._after_relation(text, words, index):
            if self._is_plain_first_name(word) or self._is_unknown_name(word):
                return RELATION_SCORE
        return None

    def _word_score(self, text: str, words: list[Word], index: int) -> float | None:
        """Score `words[index]` by the name lists, its capital letter and the
        words after it."""
        word = words[index]
        base = word.base
        lexicon = self.lexicon
        after_determiner = index > 0 and words[index - 1].base in DETERMINERS
        if self._is_plain_first_name(word) and not after_determiner:
            return LIST_SCORE

        if word.capitalised and not word.sentence_start and not word.in_place_name:
            if base in lexicon.ambiguous_first_names and base not in lexicon.kept_words:
                return LIST_SCORE
            if self._is_unknown_word(word):
                return CAPITALISED_SCORE
        if (
            word.capitalised
            and word.sentence_start
            and self._starts_full_name(text, words, index)
        ):
            return CAPITALISED_SCORE

        if after_determiner:
            return None
        unknown = self._is_unknown_name(word) and len(base) > 2
        listed = base in lexicon.first_names and base not in lexicon.common_words
        if (unknown or listed) and self._before_following_cue(text, words, index):
            return FOLLOWING_SCORE
        # "dympna roberts", and "guy harris" or "june watson", whose first
        # names are also everyday or kept words.
        if (unknown or base in lexicon.first_names) and self._before_surname(
            text, words, index
        ):
            return FOLLOWING_SCORE
        return None

    def _is_unknown_name(self, word: Word) -> bool:
        """Tell whether `word` is unknown and does not look like a verb or an
        adverb: "shoutting" and "kiled" are everyday words misspelt, "Erling"
        and "Aishling" are names."""
        if not self._is_unknown_word(word):
            return False
        base = word.base
        if base.endswith("ly"):
            return False
        for ending in ("ing", "ed"):
            if base.endswith(ending):
                stem = base[: -len(ending)]
                common = self.lexicon.common_words
                return not (
                    stem in common or stem + "e" in common or stem[:-1] in common
                )
        return True

    def _before_surname(self, text: str, words: list[Word], index: int) -> bool:
        """Tell whether the next word is a surname that is not an everyday word
        ("dympna roberts")."""
        if (
            index + 1 >= len(words)
            or text[words[index].raw_end : words[index + 1].start] != " "
        ):
            return False
        following = words[index + 1]
        lexicon = self.lexicon
        return (
            following.base in lexicon.surnames
            and following.base not in lexicon.common_words
            and following.base not in lexicon.kept_words
            and not following.in_place_name
        )

    def _starts_full_name(self, text: str, words: list[Word], index: int) -> bool:
        """Tell whether a capitalised word opening a sentence is followed by a
        capitalised surname ("Guy Thomas said", "Tove Phillips my manager")."""
        word = words[index]
        if (
            index + 1 >= len(words)
            or text[word.raw_end : words[index + 1].start] != " "
        ):
            return False
        if not (word.base in self.lexicon.first_names or self._is_unknown_word(word)):
            return False
        following = words[index + 1]
        if not following.capitalised:
            return False
        return following.base in self.lexicon.surnames or self._is_unknown_word(
            following
        )

    def _before_following_cue(self, text: str, words: list[Word], index: int) -> bool:
        for cue in FOLLOWING_CUES:
            end = index + 1 + len(cue)
            if end > len(words):
                continue
            following = words[index + 1 : end]
            if tuple(word.cue_base for word in following) != cue:
                continue
            gaps = [words[index], *following]
            if all(
                CUE_GAP.match(text[before.raw_end : after.start])
                for before, after in zip(gaps, gaps[1:], strict=False)
            ):
                return True
        return False

    def _is_plain_first_name(self, word: Word) -> bool:
        """Tell whether `word` is a listed first name that is not also an everyday,
        kept or place word."""
        lexicon = self.lexicon
        return (
            word.base in lexicon.first_names
            and word.base not in lexicon.ambiguous_first_names
            and not word.in_place_name
        )

    def _is_unknown_word(self, word: Word) -> bool:
        """Tell whether `word` is not everyday English, a kept word, a place or
        a cue word with a typing error."""
        lexicon = self.lexicon
        return (
            word.cue_base == word.base
            and word.base not in lexicon.common_words
            and word.base not in lexicon.kept_words
            and word.base not in lexicon.place_names
            and not word.in_place_name
        )

    def _continues_name(
        self, text: str, previous: Word, word: Word, name_is_one_word: bool
    ) -> bool:
        """Tell whether `word` extends the name ending at `previous` ("Dave
        Smith", "kate white", "mohammed al-amin", "Mary Jane"). A surname that
        is also a stop word ("May", "Will") needs a capital letter. An unknown
        word in lower case extends only a name of one word (`name_is_one_word`)."""
        if previous.raw_end != previous.end:
            return False
        if text[previous.end : word.start] not in (" ", "-"):
            return False
        lexicon = self.lexicon
        if word.base in lexicon.surnames:
            if word.base in STOP_WORDS:
                return word.capitalised
            return True
        if self._is_plain_first_name(word):
            return True
        if word.capitalised:
            return self._is_unknown_word(word)
        # A surname missing from the lists, typed in lower case: "dave
        # smithers", "called tomasz wozniakowski", "kwame asante-boateng".
        # Not after two words, where it is more often a typing error after a
        # street ("Williams Lane keeep throwing").
        return name_is_one_word and len(word.base) > 2 and self._is_unknown_name(word)

    def _preceding_bases(
        self,
        text: str,
        words: list[Word],
        index: int,
        count: int,
        gap: re.Pattern[str] = CUE_GAP,
    ) -> tuple[str, ...] | None:
        """Return the cue bases of the `count` words before `words[index]`, or
        None when they are not there or punctuation other than a `CUE_GAP`
        splits them."""
        if index < count:
            return None
        chosen = words[index - count : index]
        following = [*chosen[1:], words[index]]
        for before, after in zip(chosen, following, strict=True):
            if not gap.match(text[before.raw_end : after.start]):
                return None
        return tuple(word.cue_base for word in chosen)

    def _after_strong_cue(self, text: str, words: list[Word], index: int) -> bool:
        previous = self._preceding_bases(text, words, index, 1)
        if previous == ("name",) and words[index - 1].raw_end != words[index - 1].end:
            return True  # "his name's Dave"
        for cue in STRONG_CUES:
            if self._preceding_bases(text, words, index, len(cue)) == cue:
                return True
        return False

    def _after_title(self, text: str, words: list[Word], index: int) -> bool:
        previous = self._preceding_bases(text, words, index, 1, TITLE_GAP)
        if previous is None or previous[0] not in TITLES:
            return False
        if previous[0] in CAPITALISED_TITLES:
            return words[index - 1].capitalised or words[index].capitalised
        return True

    def _after_relation(self, text: str, words: list[Word], index: int) -> bool:
        previous = self._preceding_bases(text, words, index, 1)
        return previous is not None and previous[0] in RELATIONS

    def _mark_place_names(self, words: list[Word]) -> None:
        """Flag words that belong to a place or main road named in the place
        files, such as "Braunstone Town" or "Melton Road"."""
        lexicon = self.lexicon
        for start in range(len(words)):
            for length in range(4, 0, -1):
                end = start + length
                if end > len(words):
                    continue
                phrase = normalise_phrase(
                    " ".join(word.raw for word in words[start:end])
                )
                street = expand_street_suffix(phrase)
                if phrase in lexicon.place_names or street in lexicon.street_names:
                    for word in words[start:end]:
                        word.in_place_name = True
                    break


def typing_errors(word: str) -> set[str]:
    """Return the words one swapped, dropped or doubled letter away from `word`."""
    variants = set()
    for index in range(len(word)):
        variants.add(word[:index] + word[index + 1 :])
        variants.add(word[: index + 1] + word[index:])
        if index + 1 < len(word):
            variants.add(
                word[:index] + word[index + 1] + word[index] + word[index + 2 :]
            )
    variants.discard(word)
    return variants


def cue_typos(lexicon: NameLexicon) -> dict[str, str]:
    """Map typing errors of the cue words to the cue word they stand for.

    A variant that is a word of any list, another cue word, or a variant of
    two cue words is left out, so that only words that mean nothing else are
    read as a misspelt cue.
    """
    cue_words = {word for cue in STRONG_CUES + FOLLOWING_CUES for word in cue}
    cue_words |= RELATIONS
    listed = (
        lexicon.common_words
        | lexicon.kept_words
        | lexicon.first_names
        | lexicon.surnames
        | lexicon.place_names
        | TITLES
        | cue_words
    )
    typos: dict[str, str] = {}
    ambiguous: set[str] = set()
    for cue_word in sorted(cue_words):
        if len(cue_word) < MIN_TYPO_CUE_LETTERS:
            continue
        for variant in typing_errors(cue_word):
            if variant in listed:
                continue
            if typos.setdefault(variant, cue_word) != cue_word:
                ambiguous.add(variant)
    for variant in ambiguous:
        del typos[variant]
    return typos


def split_words(text: str) -> list[Word]:
    """Split `text` into words, dropping a possessive "'s" from each."""
    words = []
    for match in WORD.finditer(text):
        start, end = match.span()
        token = match.group()
        possessive = POSSESSIVE.search(token)
        if possessive and len(token) > 3:
            end -= 2
            token = token[:-2]
        base = fold_accents(token.lower()).replace("\u2019", "").replace("'", "")
        capitalised = token[0].isupper() and not (len(token) > 1 and token.isupper())
        words.append(
            Word(
                start=start,
                end=end,
                raw_end=match.end(),
                text=token,
                raw=match.group(),
                base=base,
                capitalised=capitalised,
                sentence_start=bool(SENTENCE_END.search(text[:start])),
                cue_base=base,
            )
        )
    return words


CUE_STOP_WORDS = frozenset(
    "a an the me him her us them it you i we they he she this that my your his "
    "our their its out up back off down in on at to for of and or but is was "
    "are were be been police".split()
)
