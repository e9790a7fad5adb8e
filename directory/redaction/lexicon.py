"""Word lists the name recogniser reads: first names, surnames, common words,
kept words and place names.

First names and surnames come from Faker's person providers. Faker is
maintained, ships its lists inside the wheel (no download) and has locales for
the communities of Leicester: British, Irish, Indian, Pakistani, Polish,
Romanian, Lithuanian, Nigerian, Kenyan, Ghanaian and others. Only names written
in the Latin alphabet are kept, each also without its accents, because visitors
type on English keyboards.
"""

import csv
import importlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import regex
from faker.providers.lorem.en_US import Provider as EnglishLorem
from spacy.lang.en.stop_words import STOP_WORDS

DATA_DIR = Path(__file__).resolve().parent / "data"

# Faker person locales whose first names and surnames are loaded.
NAME_LOCALES = (
    "en_GB",
    "en_IE",
    "en_US",
    "en_NZ",
    "en_IN",
    "en_PK",
    "en_NG",
    "en_KE",
    "tw_GH",
    "yo_NG",
    "ig_NG",
    "ha_NG",
    "sw",
    "zu_ZA",
    "pl_PL",
    "ro_RO",
    "lt_LT",
    "lv_LV",
    "sk_SK",
    "cs_CZ",
    "hu_HU",
    "pt_PT",
    "pt_BR",
    "es_ES",
    "it_IT",
    "fr_FR",
    "de_DE",
    "nl_NL",
    "tr_TR",
    "az_AZ",
    "id_ID",
    "sl_SI",
    "hr_HR",
    "et_EE",
    "fi_FI",
)

# Place kinds from the project's place files that are kept in text. Streets
# are not kept: a street is part of an address.
KEPT_PLACE_KINDS = frozenset(
    {
        "city",
        "town",
        "village",
        "neighbourhood",
        "landmark",
        "council_area",
        "county",
        "country",
    }
)

LATIN_NAME = re.compile(r"^[^\W\d_]+(?:['-][^\W\d_]+)*$")
LATIN_LETTER = regex.compile(r"\p{Script=Latin}")
WORD_CHARACTERS = regex.compile(r"[\p{L}\p{M}\p{N}]+")
INFLECTION_SUFFIXES = ("s", "es", "ed", "d", "ing")


@dataclass(frozen=True)
class NameLexicon:
    """Lower-case word sets that decide whether a word can be a name.

    `ambiguous_first_names` are first names that are also everyday words
    ("will", "grace", "rose") or kept words ("christian"): they count as a
    name only after a cue phrase or when written with a capital letter inside
    a sentence.
    """

    first_names: frozenset[str]
    ambiguous_first_names: frozenset[str]
    surnames: frozenset[str]
    common_words: frozenset[str]
    kept_words: frozenset[str]
    place_names: frozenset[str]
    street_names: frozenset[str]


def fold_accents(word: str) -> str:
    """Return `word` without the accents of its Latin letters ("José" -> "Jose",
    "Łukasz" stays).

    Marks on letters of other scripts stay, because they tell names apart: the
    virama of "प्रिया" or the harakat of Arabic are not accents.
    """
    if word.isascii():
        return word
    folded = []
    after_latin_letter = False
    for char in unicodedata.normalize("NFKD", word):
        if unicodedata.combining(char):
            if after_latin_letter:
                continue
        else:
            after_latin_letter = LATIN_LETTER.match(char) is not None
        folded.append(char)
    return "".join(folded)


def normalise_phrase(text: str) -> str:
    """Lower-case `text`, fold accents and reduce every run of non-letters to a
    space, so "St. Margaret's" and "st margarets" compare equal. Combining
    marks count as letters, so the vowel signs of Devanagari stay in the word."""
    folded = fold_accents(text.lower()).replace("'", "").replace("\u2019", "")
    return " ".join(WORD_CHARACTERS.findall(folded))


STREET_ABBREVIATIONS = {
    "rd": "road",
    "st": "street",
    "ln": "lane",
    "ave": "avenue",
    "av": "avenue",
    "cl": "close",
    "dr": "drive",
    "cres": "crescent",
    "gdns": "gardens",
}


def expand_street_suffix(phrase: str) -> str:
    """Write the last word of a normalised street name in full ("granby st" ->
    "granby street")."""
    head, _, last = phrase.rpartition(" ")
    if not head:
        return phrase
    return f"{head} {STREET_ABBREVIATIONS.get(last, last)}"


def read_word_file(path: Path) -> set[str]:
    """Read one entry a line, skipping blank lines and # comments, lower-cased
    and without apostrophes ("i'm" -> "im")."""
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = line.strip()
        if entry and not entry.startswith("#"):
            words.add(entry.lower().replace("'", ""))
    return words


def with_inflections(words: Iterable[str]) -> set[str]:
    """Add the regular English inflections of each word, with no check that
    the result is a real word: the set is only used for look-ups."""
    result = set()
    for word in words:
        result.add(word)
        for suffix in INFLECTION_SUFFIXES:
            result.add(word + suffix)
        if word.endswith("e"):
            result.add(word[:-1] + "ing")
        if word.endswith("y"):
            result.add(word[:-1] + "ies")
            result.add(word[:-1] + "ied")
        if re.fullmatch(r".*[^aeiou][aeiou][bdgmnpt]", word):
            result.add(word + word[-1] + "ed")
            result.add(word + word[-1] + "ing")
    return result


def faker_names(attribute: str) -> set[str]:
    """Collect one Faker person attribute (`first_names` or `last_names`) from
    every locale in `NAME_LOCALES`, lower-cased, Latin alphabet only."""
    names: set[str] = set()
    for locale in NAME_LOCALES:
        module = importlib.import_module(f"faker.providers.person.{locale}")
        values = getattr(module.Provider, attribute, ())
        for name in values:
            for part in str(name).split():
                if LATIN_NAME.match(part):
                    lower = part.lower().replace("'", "")
                    names.add(lower)
                    names.add(fold_accents(lower))
    return names


def read_places(data_dir: Path) -> tuple[set[str], set[str]]:
    """Read the project's place files into kept place names and street names,
    both normalised with `normalise_phrase`."""
    places: set[str] = set()
    streets: set[str] = set()
    for path in sorted(data_dir.glob("llr_places*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                name = normalise_phrase(row["place"])
                if not name:
                    continue
                if row["kind"] == "street":
                    streets.add(name)
                elif row["kind"] in KEPT_PLACE_KINDS:
                    places.add(name)
    return places, streets


def load_lexicon(places_dir: Path) -> NameLexicon:
    """Build the lexicon from Faker, spaCy, the files in `data/` beside this
    module and the place files in `places_dir`."""
    base_common = (
        {word.lower() for word in EnglishLorem.word_list}
        | read_word_file(DATA_DIR / "common_words.txt")
        | {word.lower().replace("'", "").replace("\u2019", "") for word in STOP_WORDS}
    )
    common = with_inflections(base_common)
    kept = read_word_file(DATA_DIR / "kept_words.txt")
    places, streets = read_places(places_dir)
    single_word_places = {place for place in places if " " not in place}

    first_names = faker_names("first_names") | read_word_file(
        DATA_DIR / "first_names.txt"
    )
    surnames = faker_names("last_names")
    not_names = read_word_file(DATA_DIR / "not_names.txt")
    first_names -= not_names
    # Surnames that are everyday words ("Young", "White", "May") stay: the
    # name recogniser takes a surname only straight after a name, and one that
    # is a stop word only with a capital letter.
    # `not_names` applies to first names only: "Hardy" and "Marine" are still
    # surnames after a first name.
    ambiguous = first_names & (common | kept | single_word_places)
    return NameLexicon(
        first_names=frozenset(first_names),
        ambiguous_first_names=frozenset(ambiguous),
        surnames=frozenset(surnames),
        common_words=frozenset(common),
        kept_words=frozenset(kept),
        place_names=frozenset(places),
        street_names=frozenset(streets),
    )
