"""Place and postcode extractor for Leicester, Leicestershire and Rutland (LLR).

``PlaceExtractor`` finds place names, streets, landmarks and UK postcodes in any
message and resolves each to the council that covers it, or to ``outside_llr``.
It emits one ``area`` entity per place found. A postcode district that spans
several councils becomes a ``postcode_district`` entity with its candidate
councils, unless the message also names a place.

The gazetteer and the postcode table are CSV files under ``data/`` (described in
``data/README.md``). They are read once when the component is created, and the
phrase matcher is built from them then.

Matching uses spaCy's PhraseMatcher over a blank English vocabulary. Messages
and names are split into words by one regular expression instead of spaCy's
tokenizer, so hyphens, full stops, apostrophes and runs of spaces drop out of
both in the same way ("Ashby-de-la-Zouch" matches "ashby de la zouch").
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import spacy
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from directory.signposting.labels import Area
from nlu.components.postcodes import find_postcodes, postcode_area

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]

OUTSIDE_LLR = "outside_llr"
AREA_VALUES = frozenset(get_args(Area))

# Rules for place names that are also ordinary words or people's names. Every
# rule also accepts a message that consists of the name alone, because that is
# how visitors reply to "Which town or village?".
CAPITALISED_OR_CUE = "capitalised_or_cue"  # capitalised mid-sentence, or a cue
CAPITALISED = "capitalised"  # capitalised mid-sentence only
CUE = "cue"  # directly after a word from `cue_words`
NARROW_CUE = "narrow_cue"  # directly after a word from `narrow_cue_words`
RESTRICTION_RULES = frozenset({CAPITALISED_OR_CUE, CAPITALISED, CUE, NARROW_CUE})

# Gazetteer names, written in lower case, that need a rule before they count as
# a place, because in everyday text they are more often something else.
DEFAULT_RESTRICTED_NAMES: dict[str, str] = {
    # Ordinary English words.
    "abbey": CAPITALISED_OR_CUE,
    "croft": CAPITALISED_OR_CUE,
    "whetstone": CAPITALISED_OR_CUE,
    "hose": CAPITALISED_OR_CUE,
    "cotes": CAPITALISED_OR_CUE,
    "greenhill": CAPITALISED_OR_CUE,
    "hull": CAPITALISED_OR_CUE,
    "new parks": CAPITALISED_OR_CUE,
    "new walk": CAPITALISED_OR_CUE,
    "clock tower": CAPITALISED_OR_CUE,
    "albert village": CAPITALISED_OR_CUE,
    "slough": CAPITALISED_OR_CUE,
    "freeby": CAPITALISED_OR_CUE,  # also a spelling of "freebie"
    "oxford": CAPITALISED_OR_CUE,  # also a shoe
    # A football match ("the local derby") and a sport: "at rugby" is as often
    # the training session as the town, so Rugby needs a capital letter.
    "derby": CAPITALISED_OR_CUE,
    "rugby": CAPITALISED,
    # A meat-free food brand, often capitalised.
    "quorn": CUE,
    # Surnames and brand names: the capital letter alone is weak evidence, but
    # "Mr Ashby" or "Abraham Lincoln" are rejected because the word before is
    # capitalised too.
    "ashby": CAPITALISED_OR_CUE,
    "burbage": CAPITALISED_OR_CUE,
    "hamilton": CAPITALISED_OR_CUE,
    "stapleton": CAPITALISED_OR_CUE,
    "shenton": CAPITALISED_OR_CUE,
    "worthington": CAPITALISED_OR_CUE,
    "lincoln": CAPITALISED_OR_CUE,
    "warwick": CAPITALISED_OR_CUE,
    "stafford": CAPITALISED_OR_CUE,
    "bolton": CAPITALISED_OR_CUE,
    "dudley": CAPITALISED_OR_CUE,
    "lancaster": CAPITALISED_OR_CUE,
    "bedford": CAPITALISED_OR_CUE,
    "buxton": CAPITALISED_OR_CUE,
    "bourne": CAPITALISED_OR_CUE,
    "ely": CAPITALISED_OR_CUE,
    # First names: "from Heather" is more often a person than the village, so
    # only the narrow cues ("in", "near", "outside", "around") count.
    "heather": NARROW_CUE,
    "moira": NARROW_CUE,
    "chester": NARROW_CUE,
}

DEFAULT_CUE_WORDS = [
    "in",
    "at",
    "near",
    "nr",
    "from",
    "on",
    "round",
    "around",
    "outside",
    "towards",
    "into",
]
DEFAULT_NARROW_CUE_WORDS = ["in", "near", "nr", "outside", "round", "around"]

# A place name followed by one of these words names a street ("Leicester Road"
# runs through many towns), so it is not taken as the place itself. Streets in
# the gazetteer ("Narborough Road") match as a whole and are not affected.
STREET_SUFFIX_LIST = (
    "road rd street lane ln avenue ave way close drive crescent terrace grove "
    "gardens court rise walk square place mews row boulevard parade circle"
)
STREET_SUFFIXES = frozenset(STREET_SUFFIX_LIST.split())

# Spelling variants that are folded into one form in the text and in the
# gazetteer alike, so "Saint Margaret's" matches "St Margaret's".
TOKEN_ALIASES = {"saint": "st", "gt": "great", "upon": "on", "&": "and"}

# Abbreviations of a street name's last word ("Granby St", "Hinckley Rd"). They
# are added as variants of gazetteer names only, because "St" in running text
# is more often "Saint".
STREET_ABBREVIATIONS = {"street": "st", "road": "rd", "lane": "ln", "avenue": "ave"}

# A title before a name marks it as a person ("Mrs Croft"), even at the start
# of a sentence, where a capital letter carries no information.
TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "lady", "lord"})

# A place after one of these words and "of" belongs to a title or a company,
# often a pub's name ("the Prince of Wales", "Duke of Rutland", "Bank of
# Scotland"), not to where the visitor is.
TITLE_OF_WORD_LIST = (
    "prince princess duke duchess earl marquis marquess bishop archbishop king "
    "queen bank"
)
TITLE_OF_WORDS = frozenset(TITLE_OF_WORD_LIST.split())

WORD_PATTERN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|&")
SENTENCE_BREAK = re.compile(r"[.!?\n]")


@dataclass(frozen=True)
class Place:
    """A gazetteer row: a place name and the council that covers it."""

    name: str
    council: str
    kind: str
    note: str

    @property
    def ambiguous(self) -> bool:
        """Check whether the note marks the name as shared with places elsewhere."""
        note = self.note.lower()
        return note.startswith(("ambiguous", "also "))


@dataclass(frozen=True)
class Word:
    """A word of the message with its normalised form and character offsets."""

    norm: str
    text: str
    start: int
    end: int
    possessive: bool


@dataclass(frozen=True)
class PlaceHit:
    """A place found in a message."""

    place: Place
    start: int
    end: int


@dataclass(frozen=True)
class PostcodeHit:
    """A postcode or outward code found in a message, with its councils.

    `councils` is empty when the district is not a geographic one of the
    LE area, such as the non-geographic LE87, LE94 and LE95.
    """

    district: str
    councils: tuple[str, ...]
    start: int
    end: int


# --------------------------------------------------------------------------
# Words


def normalise_word(raw: str) -> tuple[str, bool]:
    """Fold a word to lower case and its alias, and report an "'s" ending."""
    word = raw.lower().replace("’", "'")
    possessive = word.endswith("'s")
    if possessive:
        word = word[:-2]
    word = word.replace("'", "")
    return TOKEN_ALIASES.get(word, word), possessive


def split_words(text: str) -> list[Word]:
    """Split text into words, dropping hyphens, dots and extra spaces."""
    words = []
    for match in WORD_PATTERN.finditer(text):
        norm, possessive = normalise_word(match.group())
        if norm:
            words.append(
                Word(norm, match.group(), match.start(), match.end(), possessive)
            )
    return words


def name_variants(name: str) -> list[tuple[str, ...]]:
    """Return the word sequences that count as a mention of a gazetteer name.

    A possessive word matches with or without its "s" ("St Margaret's", "St
    Margarets"), "and" may be left out ("Hinckley & Bosworth" is read as
    "hinckley and bosworth", "Oadby Wigston" still matches), and a street's
    last word may be abbreviated ("Granby St").
    """
    words = split_words(name)
    plain = tuple(word.norm for word in words)
    fused = tuple(word.norm + "s" if word.possessive else word.norm for word in words)
    variants = [plain, fused]
    if "and" in plain:
        variants.append(tuple(norm for norm in plain if norm != "and"))
    if len(plain) > 1 and plain[-1] in STREET_ABBREVIATIONS:
        variants.append(plain[:-1] + (STREET_ABBREVIATIONS[plain[-1]],))
    unique: list[tuple[str, ...]] = []
    for variant in variants:
        if variant and variant not in unique:
            unique.append(variant)
    return unique


# --------------------------------------------------------------------------
# Data files


def resolve_data_path(path: str) -> Path:
    """Resolve a configured data path, relative paths from the repository root."""
    candidate = Path(path)
    return candidate if candidate.is_absolute() else REPO_ROOT / candidate


def read_csv_rows(path: Path, columns: Sequence[str]) -> list[dict[str, str]]:
    """Read a CSV file and check that it has the expected columns."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [
            column for column in columns if column not in (reader.fieldnames or [])
        ]
        if missing:
            raise ValueError(
                f"{path} is missing the columns {missing}. Expected {list(columns)}."
            )
        return [
            {key: (value or "").strip() for key, value in row.items() if key}
            for row in reader
        ]


def load_places(paths: Iterable[Path]) -> list[Place]:
    """Read the gazetteer files in order and check every council id."""
    places = []
    for path in paths:
        for row in read_csv_rows(path, ("place", "council", "kind", "note")):
            if row["council"] not in AREA_VALUES:
                raise ValueError(
                    f"{path}: invalid council {row['council']!r} for place "
                    f"{row['place']!r}. Expected one of {sorted(AREA_VALUES)}."
                )
            places.append(Place(row["place"], row["council"], row["kind"], row["note"]))
    return places


def load_districts(paths: Iterable[Path]) -> dict[str, tuple[str, ...]]:
    """Read the postcode district tables, letting a later file's row win."""
    districts: dict[str, tuple[str, ...]] = {}
    for path in paths:
        for row in read_csv_rows(path, ("district", "councils")):
            councils = tuple(
                council.strip() for council in row["councils"].split(";") if council
            )
            invalid = [council for council in councils if council not in AREA_VALUES]
            if not councils or invalid:
                raise ValueError(
                    f"{path}: invalid councils {row['councils']!r} for district "
                    f"{row['district']!r}. Expected ids from {sorted(AREA_VALUES)} "
                    "separated by ';'."
                )
            districts[row["district"].upper()] = councils
    return districts


# --------------------------------------------------------------------------
# Postcode districts

# Districts of the LE area missing from the tables are not resolved, because
# the area also contains non-geographic districts (LE87, LE94, LE95).
UNRESOLVED_AREAS = frozenset({"LE"})


def resolve_district(
    outward: str, districts: dict[str, tuple[str, ...]]
) -> tuple[str, ...]:
    """Return the councils of an outward code, or () when it cannot be placed."""
    if outward in districts:
        return districts[outward]
    if postcode_area(outward) in UNRESOLVED_AREAS:
        return ()
    return (OUTSIDE_LLR,)


# --------------------------------------------------------------------------
# Entities


def area_entity(value: str, start: int, end: int, place: str) -> dict[str, Any]:
    """Build an `area` entity."""
    return {
        "entity": "area",
        "value": value,
        "start": start,
        "end": end,
        "confidence": 1.0,
        "place": place,
    }


def district_entity(hit: PostcodeHit) -> dict[str, Any]:
    """Build a `postcode_district` entity that lists its candidate councils."""
    return {
        "entity": "postcode_district",
        "value": hit.district,
        "start": hit.start,
        "end": hit.end,
        "confidence": 1.0,
        "candidates": list(hit.councils),
    }


def keep_ambiguous(
    hit: PlaceHit, firm_councils: set[str], multi_districts: list[PostcodeHit]
) -> bool:
    """Decide whether an ambiguous name such as "London Road" keeps its default.

    The default council is kept unless another place or postcode in the message
    points elsewhere. That is a firm place of a different council, or a
    multi-council district whose candidates do not include the default.
    """
    if firm_councils:
        return hit.place.council in firm_councils
    return all(hit.place.council in district.councils for district in multi_districts)


def build_entities(
    places: list[PlaceHit], postcodes: list[PostcodeHit]
) -> list[dict[str, Any]]:
    """Turn the places and postcodes of one message into entities."""
    single = [postcode for postcode in postcodes if len(postcode.councils) == 1]
    multi = [postcode for postcode in postcodes if len(postcode.councils) > 1]

    firm = [hit for hit in places if not hit.place.ambiguous]
    firm_councils = {hit.place.council for hit in firm}
    firm_councils |= {postcode.councils[0] for postcode in single}
    emitted_places = firm + [
        hit
        for hit in places
        if hit.place.ambiguous and keep_ambiguous(hit, firm_councils, multi)
    ]

    entities = []
    for hit in emitted_places:
        entity = area_entity(hit.place.council, hit.start, hit.end, hit.place.name)
        if multi:
            # The named place wins over a multi-council district. The district
            # is kept on the entity so that later steps can check the two agree.
            entity["postcode_district"] = multi[0].district
        entities.append(entity)
    for postcode in single:
        entities.append(
            area_entity(
                postcode.councils[0], postcode.start, postcode.end, postcode.district
            )
        )
    if not emitted_places:
        entities.extend(district_entity(postcode) for postcode in multi)
    return sorted(entities, key=lambda entity: entity["start"])


# --------------------------------------------------------------------------
# Component


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class PlaceExtractor(GraphComponent, EntityExtractorMixin):
    """Finds LLR places and postcodes in messages and adds `area` entities."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Return the default configuration: data files and word lists."""
        return {
            # Gazetteer files (place,council,kind,note), relative to the
            # repository root unless absolute. An earlier file's spelling of a
            # name wins over a later one.
            "places_files": ["data/llr_places.csv", "data/llr_places_extra.csv"],
            # Postcode district tables (district,post_town,councils,note). A
            # later file's row replaces an earlier row of the same district.
            "postcode_files": [
                "data/llr_postcode_districts.csv",
                "data/llr_postcode_districts_extra.csv",
            ],
            # Lower-case names that need a capital letter or a cue word, with
            # their rule (see DEFAULT_RESTRICTED_NAMES for the reasons).
            "restricted_names": dict(DEFAULT_RESTRICTED_NAMES),
            "cue_words": list(DEFAULT_CUE_WORDS),
            "narrow_cue_words": list(DEFAULT_NARROW_CUE_WORDS),
        }

    @staticmethod
    def required_packages() -> list[str]:
        """Return the packages this component imports."""
        return ["spacy"]

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = {**self.get_default_config(), **config}
        self._restricted = self._read_restrictions(self._config["restricted_names"])
        self._cue_words = {normalise_word(w)[0] for w in self._config["cue_words"]}
        self._narrow_cue_words = {
            normalise_word(w)[0] for w in self._config["narrow_cue_words"]
        }
        places = load_places(
            resolve_data_path(path) for path in self._config["places_files"]
        )
        self._districts = load_districts(
            resolve_data_path(path) for path in self._config["postcode_files"]
        )
        self._vocab = spacy.blank("en").vocab
        self._matcher = PhraseMatcher(self._vocab, attr="LOWER")
        self._places = self._add_patterns(places)
        logger.info(
            "PlaceExtractor loaded %d places and %d postcode districts.",
            len(self._places),
            len(self._districts),
        )

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PlaceExtractor:
        """Create the component, reading the data files and building the matcher."""
        return cls(config)

    @staticmethod
    def _read_restrictions(restricted: dict[str, str]) -> dict[tuple[str, ...], str]:
        """Check the configured rules and key them by normalised words."""
        rules = {}
        for name, rule in restricted.items():
            if rule not in RESTRICTION_RULES:
                raise ValueError(
                    f"Invalid rule {rule!r} for restricted name {name!r}. Expected "
                    f"one of {sorted(RESTRICTION_RULES)}."
                )
            for variant in name_variants(name):
                rules[variant] = rule
        return rules

    def _add_patterns(self, places: list[Place]) -> dict[str, Place]:
        """Add every name variant to the matcher, keyed by the place's name."""
        by_key: dict[str, Place] = {}
        owner: dict[tuple[str, ...], str] = {}
        for place in places:
            key = place.name.lower()
            if key in by_key:
                logger.warning("Skipped duplicate gazetteer name %r.", place.name)
                continue
            variants = []
            for variant in name_variants(place.name):
                if variant in owner:
                    logger.warning(
                        "Skipped spelling %r of %r: it already names %r.",
                        " ".join(variant),
                        place.name,
                        owner[variant],
                    )
                    continue
                owner[variant] = place.name
                variants.append(Doc(self._vocab, words=list(variant)))
            if variants:
                by_key[key] = place
                self._matcher.add(key, variants)
        return by_key

    def process(self, messages: list[Message]) -> list[Message]:
        """Append the `area` and `postcode_district` entities of each message."""
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith(INTENT_MESSAGE_PREFIX):
                # Button payloads such as `/inform{"area": "blaby"}` carry their
                # own entities, which Rasa's RegexMessageHandler sets.
                continue
            entities = self.add_extractor_name(self.extract(text))
            message.set(
                ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True
            )
        return messages

    def extract(self, text: str) -> list[dict[str, Any]]:
        """Return the place and postcode entities of one text, without extractor."""
        if not text.strip():
            return []
        words = split_words(text)
        postcodes = [
            PostcodeHit(outward, resolve_district(outward, self._districts), s, e)
            for outward, s, e in find_postcodes(text)
        ]
        places = self._find_places(text, words)
        resolvable = [hit for hit in postcodes if hit.councils]
        return build_entities(places, resolvable)

    def _find_places(self, text: str, words: list[Word]) -> list[PlaceHit]:
        """Match gazetteer names, longest span first, and apply the word rules."""
        if not words:
            return []
        doc = Doc(self._vocab, words=[word.norm for word in words])
        spans = filter_spans(self._matcher(doc, as_spans=True))
        shouting = is_shouting(text)
        hits = []
        for span in spans:
            place = self._places[span.label_]
            if not self._accept(place, span.start, span.end, words, text, shouting):
                continue
            hits.append(
                PlaceHit(place, words[span.start].start, words[span.end - 1].end)
            )
        return hits

    def _accept(
        self,
        place: Place,
        first: int,
        stop: int,
        words: list[Word],
        text: str,
        shouting: bool,
    ) -> bool:
        """Apply the street-name, title and common-word rules to a matched name."""
        if place.kind not in ("street", "landmark") and names_street(
            first, stop, words, text
        ):
            return False
        if follows_title_of(first, words):
            return False
        rule = self._restricted.get(tuple(word.norm for word in words[first:stop]))
        if rule is None:
            return True
        if first == 0 and stop == len(words):
            return True
        if words[stop - 1].possessive:
            return False
        # A landmark takes "the" after the cue ("near the clock tower").
        allow_article = place.kind == "landmark"
        if rule in (CAPITALISED_OR_CUE, CUE) and follows_cue(
            first, words, self._cue_words, allow_article
        ):
            return True
        if rule == NARROW_CUE and follows_cue(
            first, words, self._narrow_cue_words, allow_article
        ):
            return True
        if rule in (CAPITALISED_OR_CUE, CAPITALISED) and not shouting:
            return is_lone_proper_noun(first, stop, words, text)
        return False


# --------------------------------------------------------------------------
# Context tests


def is_shouting(text: str) -> bool:
    """Check whether the text is mostly capitals, so capitals carry no information."""
    letters = [char for char in text if char.isalpha()]
    if len(letters) < 8:
        return False
    return sum(char.isupper() for char in letters) >= 0.8 * len(letters)


def starts_sentence(index: int, words: list[Word], text: str) -> bool:
    """Check whether the word at `index` is the first of its sentence."""
    if index == 0:
        return True
    gap = text[words[index - 1].end : words[index].start]
    return bool(SENTENCE_BREAK.search(gap))


def is_capitalised_name_word(index: int, words: list[Word], text: str) -> bool:
    """Check whether a word is capitalised mid-sentence and is not the pronoun "I"."""
    word = words[index].text
    if word == "I" or not word[:1].isupper():
        return False
    return not starts_sentence(index, words, text)


def is_lone_proper_noun(first: int, stop: int, words: list[Word], text: str) -> bool:
    """Check whether a name is capitalised mid-sentence and is a name by itself.

    A capitalised word right before or after ("Westminster Abbey", "Rugby World
    Cup") or a title before ("Mrs Croft") means the name is part of a longer
    proper noun.
    """
    if not is_capitalised_name_word(first, words, text):
        return False
    if first > 0 and (
        words[first - 1].norm in TITLES
        or is_capitalised_name_word(first - 1, words, text)
    ):
        return False
    return stop == len(words) or not is_capitalised_name_word(stop, words, text)


def follows_cue(
    first: int, words: list[Word], cues: set[str], allow_article: bool
) -> bool:
    """Check whether a cue word comes right before the name, or before "the"."""
    if first == 0:
        return False
    if words[first - 1].norm in cues:
        return True
    return (
        allow_article
        and first >= 2
        and words[first - 1].norm == "the"
        and words[first - 2].norm in cues
    )


def follows_title_of(first: int, words: list[Word]) -> bool:
    """Check whether the name follows a title and "of" ("Prince of Wales")."""
    if first < 2 or words[first - 1].norm != "of":
        return False
    return words[first - 2].norm in TITLE_OF_WORDS


def names_street(first: int, stop: int, words: list[Word], text: str) -> bool:
    """Check whether the name is followed by a street word ("Leicester Road")."""
    if stop >= len(words) or words[stop].norm not in STREET_SUFFIXES:
        return False
    return not starts_sentence(stop, words, text)
