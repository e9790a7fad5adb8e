"""Regular-expression recognisers for the personal details visitors type.

Every recogniser is a Presidio `PatternRecognizer`, so Presidio compiles the
patterns with its default flags (case-insensitive, multi-line, dot-all) and the
`regex` module, which allows the variable-length look-behinds used for cue
phrases. Patterns accept lower case, missing or extra spaces, dashes and
brackets, because visitors type quickly on phones.
"""

import re

from presidio_analyzer import Pattern, PatternRecognizer
from presidio_analyzer.predefined_recognizers import UrlRecognizer as PresidioUrl

from directory.redaction.lexicon import NameLexicon, normalise_phrase
from directory.redaction.offline import has_public_suffix

PERSON = "PERSON"
PHONE = "PHONE"
EMAIL = "EMAIL"
URL = "URL"
HANDLE = "HANDLE"
POSTCODE = "POSTCODE"
ADDRESS = "ADDRESS"
NI_NUMBER = "NI_NUMBER"
VEHICLE_REG = "VEHICLE_REG"
DATE_OF_BIRTH = "DATE_OF_BIRTH"

# The 121 postcode areas of the UK (Royal Mail). An outward code on its own
# ("LE2", "le11") is taken for a postcode only when it starts with one of them.
POSTCODE_AREAS = (
    "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE "
    "DG DH DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX "
    "IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN "
    "NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR "
    "SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE"
).split()
TWO_LETTER_AREAS = "|".join(area for area in POSTCODE_AREAS if len(area) == 2)

FULL_POSTCODE = (
    r"(?<![\w])"
    r"(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
    r"[ \t-]{0,2}[0-9][ABD-HJLNP-UW-Z]{2}"
    r"(?![\w])"
)
# Two-letter areas only: a one-letter outward code ("m1", "b6") is more often a
# motorway, a road or a bus than a postcode.
OUTWARD_POSTCODE = rf"(?<![\w])(?:{TWO_LETTER_AREAS})[0-9]{{1,2}}[A-Z]?(?![\w])"
OUTWARD_AFTER_CUE = (
    r"(?<=\bpost ?code\s*(?:is|was|:|-)?\s*)[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-Z]?(?![\w])"
)

PHONE_SEPARATOR = r"[ \t\-().]*"
PHONE_PATTERNS = [
    # +44 or 0044, an optional (0), then ten digits.
    Pattern(
        "International UK number",
        rf"(?<![\w+])(?:\+|00)[ \t]*44[ \t]*(?:\(0\))?(?:{PHONE_SEPARATOR}\d){{9,10}}"
        r"(?![\d])",
        0.9,
    ),
    # A national number: 0, then nine or ten more digits, in any grouping.
    Pattern(
        "National UK number",
        rf"(?<![\w+])\(?0(?:{PHONE_SEPARATOR}\d){{9,10}}(?![\d])",
        0.85,
    ),
]

# The part of an address before the at sign, also with its dots, underscores
# and dashes spelled out: "jo.bloggs", "jo dot bloggs", "jo underscore bloggs".
EMAIL_LOCAL_PART = (
    r"(?<![\w.+-])[\w.+-]+"
    r"(?:[ \t]*(?:\(dot\)|\[dot\])[ \t]*[\w.+-]+"
    r"|[ \t]+(?:dot|under ?score|dash|hyphen)[ \t]+[\w.+-]+)*"
)
EMAIL_PATTERNS = [
    Pattern(
        "E-mail address",
        rf"{EMAIL_LOCAL_PART}[ \t]?@[ \t]?[\w-]+(?:\.[\w-]+)+",
        0.9,
    ),
    # Spelled-out forms such as "dave.smith at gmail dot com".
    Pattern(
        "Spelled-out e-mail address",
        rf"{EMAIL_LOCAL_PART}[ \t]*(?:\(at\)|\[at\]|\bat\b)[ \t]*[\w-]+"
        r"(?:[ \t]*(?:\.|\(dot\)|\[dot\]|\bdot\b)[ \t]*"
        r"(?:com|co|uk|org|net|ac|gov|me|io))+\b",
        0.8,
    ),
]

# Top-level domains of addresses written without a scheme or "www.".
BARE_URL_DOMAINS = (
    "com|org|net|uk|co|io|me|info|biz|gov|ac|edu|xyz|app|dev|tv|ly|gg|eu|de|fr|"
    "online|site|blog|page|link|shop|club|live|news|social|chat|website|ie|us"
)
# Presidio's patterns with a scheme are kept. Its pattern for addresses without
# one is replaced: on text such as "a.a.a.a." it backtracks for seconds (about
# 4 s on 2,000 characters, Presidio 2.2.366). This one starts only at a label
# boundary and takes at most five labels.
URL_PATTERNS = [
    Pattern(
        "Address with a scheme",
        r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)]",
        0.8,
    ),
    Pattern(
        "Address starting www",
        r"(?<![\w.])www\.[^\s<>\"']+[^\s<>\"'.,;:!?)]",
        0.7,
    ),
    Pattern(
        "Address without a scheme",
        r"(?<![\w.@-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,4}"
        rf"(?:{BARE_URL_DOMAINS})(?![\w-])(?:/[^\s<>\"']*[^\s<>\"'.,;:!?)])?",
        0.5,
    ),
]
PRESIDIO_URL_PATTERNS = [
    pattern
    for pattern in PresidioUrl.PATTERNS
    if pattern.name in {"Standard Url", "Quoted URL"}
]

SOCIAL_PLATFORMS = (
    r"insta(?:gram)?|ig|tik ?tok|tt|snap(?:chat)?|sc|twitter|x|facebook|fb|"
    r"youtube|yt|discord|telegram|reddit|twitch|threads|bluesky|tinder|grindr"
)
HANDLE_PATTERNS = [
    Pattern("At-sign handle", r"(?<![\w@.])@[A-Za-z0-9_][A-Za-z0-9_.]{1,29}", 0.85),
    # "his insta is dazza_99", "username: jay.b", "on tiktok as @x" (the
    # at-sign form is caught above).
    Pattern(
        "Handle after a cue",
        r"(?<=\b(?:user ?name|handle|account name|profile name|gamertag|"
        rf"(?:{SOCIAL_PLATFORMS})(?: (?:name|account|handle|page))?)"
        r"\s*(?:is|was|called|named|:|-|=)\s*)"
        r"[A-Za-z0-9_][A-Za-z0-9_.]{2,29}(?<!\.)",
        0.6,
    ),
]

NI_NUMBER_PATTERNS = [
    Pattern(
        "National Insurance number",
        r"(?<![\w])[A-Z]{2}[ \t-]?\d{2}[ \t-]?\d{2}[ \t-]?\d{2}"
        r"(?:[ \t-]?[A-Z])?(?![\w])",
        0.85,
    ),
]

VEHICLE_PATTERNS = [
    # Letters that the DVLA never issues (I, Q, Z in some places) are accepted,
    # because a misread plate is still personal data.
    # Current format since 2001: two letters, two digits, three letters.
    Pattern(
        "Current registration",
        r"(?<![\w])[A-Z]{2}[ \t-]?\d{2}[ \t-]?[A-Z]{3}(?![\w])",
        0.85,
    ),
    # Prefix format, 1983 to 2001: letter, one to three digits, three letters.
    Pattern(
        "Prefix registration",
        r"(?<![\w])[A-Z][ \t-]?\d{1,3}[ \t-]?[A-Z]{3}(?![\w])",
        0.6,
    ),
    # Suffix format, 1963 to 1983: three letters, one to three digits, letter.
    Pattern(
        "Suffix registration",
        r"(?<![\w])[A-Z]{3}[ \t-]?\d{1,3}[ \t-]?[A-Z](?![\w])",
        0.5,
    ),
    # Any plate after a cue such as "reg", "number plate" or "registration".
    Pattern(
        "Registration after a cue",
        r"(?<=\b(?:reg|registration|number ?plate|plate|reg no|reg number|car reg)"
        r"\.?\s*(?:number|no\.?)?\s*(?:is|was|:|-|=|of)?\s*)"
        r"(?!(?:is|was|of|number|no)\b)[A-Z0-9]{1,4}(?:[ \t-]?[A-Z0-9]{1,4})?(?![\w])",
        0.7,
    ),
]

MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
    r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
DAY = r"\d{1,2}(?:st|nd|rd|th)?"
YEAR = r"(?:19|20)?\d{2}"
DATE = (
    rf"(?:\d{{1,2}}[ \t]?[/.\-][ \t]?\d{{1,2}}[ \t]?[/.\-][ \t]?{YEAR}"
    rf"|{DAY}[ \t]+(?:of[ \t]+)?{MONTH}\.?(?:[ \t,]+'?{YEAR})?"
    rf"|{MONTH}\.?[ \t]+{DAY}(?:[ \t,]+'?{YEAR})?)"
)
DOB_CUE = (
    r"\b(?:born|dob|d\.o\.b\.?|date of birth|of birth|birth ?date|birthday|bday)"
    r"\s*(?:is|was|on|in|:|-)?\s*(?:on\s+)?(?:the\s+)?"
)
DATE_OF_BIRTH_PATTERNS = [
    Pattern("Date after a birth cue", rf"(?<={DOB_CUE}){DATE}(?![\w])", 0.9),
    Pattern("Year after a birth cue", r"(?<=\bborn\s+in\s+)(?:19|20)\d{2}\b", 0.8),
    # A full date with a year before 2016 ("12/03/1985", "21/03/75", "3
    # november 1945") is more likely a birth date than the date of an incident.
    Pattern(
        "Numeric date with an early year",
        r"(?<![\w/.\-])\d{1,2}[ \t]?[/.\-][ \t]?\d{1,2}[ \t]?[/.\-][ \t]?"
        r"(?:19\d{2}|200\d|201[0-5]|[3-9]\d)(?![\w])",
        0.6,
    ),
    Pattern(
        "Written date with an early year",
        rf"(?<![\w])(?:{DAY}[ \t]+(?:of[ \t]+)?{MONTH}|{MONTH}[ \t]+{DAY})\.?"
        r"[ \t,]+(?:19\d{2}|200\d|201[0-5])(?![\w])",
        0.6,
    ),
]

STREET_SUFFIXES = (
    r"road|rd|street|st|lane|ln|avenue|ave|av|close|cl|drive|dr|way|crescent|cres|"
    r"court|ct|place|pl|gardens|gdns|grove|gr|terrace|terr|tce|walk|park|square|sq|"
    r"hill|rise|mews|row|gate|green|view|vale|parade|boulevard|blvd|end|fields|"
    r"croft|meadow|meadows|chase|wharf|yard|circle|approach|wynd"
)
# Street suffixes strong enough to mark a street name without a house number.
STRONG_STREET_SUFFIXES = (
    r"road|rd|street|lane|ln|avenue|ave|close|drive|crescent|cres|grove|terrace|"
    r"mews|gardens|gdns"
)
STREET_WORD = r"[a-z][a-z'\-]*"
FLAT_PREFIX = (
    r"(?:(?:flat|apartment|apt|unit|room)[ \t]*\d{1,4}[a-z]?[ \t]*,?[ \t]*)?"
    r"(?:(?:no\.?|number)[ \t]*)?"
)
ADDRESS_PATTERNS = [
    Pattern(
        "House number and street",
        rf"(?<![\w])(?:{FLAT_PREFIX})\d{{1,4}}[a-z]?[ \t]*,?[ \t]+"
        rf"(?:{STREET_WORD}[ \t]+){{1,3}}(?:{STREET_SUFFIXES})\.?(?![\w])",
        0.85,
    ),
    Pattern(
        "Flat number",
        r"(?<![\w])(?:flat|apartment|apt)[ \t]*\d{1,4}[a-z]?(?![\w])",
        0.7,
    ),
]

FLAT_WORDS = frozenset({"flat", "apartment", "apt", "unit", "room", "no", "number"})

# Words that never stand in a street name between a house number and the
# suffix: "3 times down the road", "2 lads on my street". spaCy's stop words
# are too wide here ("12 May Gardens", "4 Side Lane").
FUNCTION_WORDS = frozenset(
    "a an the my your his her our their its this that these those me you him us "
    "them i we they he she it in on at to from of for by with down up over near "
    "past along across round around into onto outside inside behind and or but "
    "was were is are be been being had has have do did does just then when while "
    "as all some every".split()
)

# Words that may stand between a number and "road" without being a street
# name: "3 times down the road", "20 mins walk".
NOT_STREET_WORDS = frozenset(
    "times time mins minutes seconds hours days weeks months years yards metres "
    "meters miles people men women lads boys girls kids children guys blokes "
    "youths teenagers cars vans houses doors windows shops stops".split()
)
# Street-name words that are also common English words.
STREET_NAME_WORDS = frozenset(
    "high church park new green station mill west east north south main school "
    "king kings queen queens london victoria albert new old long short broad "
    "little great upper lower middle back front bridge market castle hall "
    "manor chapel field wood forest river water spring well cross common "
    "grange farm oak elm ash beech birch cedar willow orchard white black brown "
    "red grey gold silver rose sandy stone".split()
)


class PostcodeRecognizer(PatternRecognizer):
    """UK postcodes, full ("LE4 6AB", "le46ab") and outward codes ("LE2")."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity=POSTCODE,
            name="PostcodeRecognizer",
            patterns=[
                Pattern("Full postcode", FULL_POSTCODE, 0.9),
                Pattern("Outward code", OUTWARD_POSTCODE, 0.6),
                Pattern("Outward code after a cue", OUTWARD_AFTER_CUE, 0.8),
            ],
        )


class PhoneRecognizer(PatternRecognizer):
    """UK phone numbers: 07 mobiles, 01, 02, 03 and 08 numbers, and +44."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity=PHONE, name="PhoneRecognizer", patterns=PHONE_PATTERNS
        )


class EmailRecognizer(PatternRecognizer):
    """E-mail addresses, including "name at domain dot com".

    A written address counts only if its domain ends in a public suffix,
    checked against the suffix list bundled with tldextract.
    """

    def __init__(self) -> None:
        super().__init__(
            supported_entity=EMAIL, name="EmailRecognizer", patterns=EMAIL_PATTERNS
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject an address with `@` whose domain has no public suffix."""
        if "@" not in pattern_text:
            return None
        domain = pattern_text.rsplit("@", 1)[1].strip()
        return has_public_suffix(domain)


class UrlRecognizer(PresidioUrl):
    """Web addresses: Presidio's patterns for addresses with a scheme (which
    list the top-level domains themselves and need no download), and the
    project's for "www." addresses and bare domains."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity=URL,
            name="UrlRecognizer",
            patterns=[*PRESIDIO_URL_PATTERNS, *URL_PATTERNS],
        )


class HandleRecognizer(PatternRecognizer):
    """Social media handles: "@name", or a name after "username" or a platform."""

    def __init__(self, lexicon: NameLexicon) -> None:
        self.lexicon = lexicon
        super().__init__(
            supported_entity=HANDLE, name="HandleRecognizer", patterns=HANDLE_PATTERNS
        )

    def invalidate_result(self, pattern_text: str) -> bool | None:
        """Reject a cue match that is an everyday word ("insta is down")."""
        if pattern_text.startswith("@"):
            return False
        return pattern_text.lower() in self.lexicon.common_words


class NiNumberRecognizer(PatternRecognizer):
    """National Insurance numbers ("QQ 12 34 56 C"), with or without the letter.

    Any two letters and any final letter are accepted, although HMRC never
    issues some prefixes (such as "QQ", used in examples) and ends every number
    with A to D, because a mistyped number is still personal data.
    """

    def __init__(self) -> None:
        super().__init__(
            supported_entity=NI_NUMBER,
            name="NiNumberRecognizer",
            patterns=NI_NUMBER_PATTERNS,
        )


class VehicleRegistrationRecognizer(PatternRecognizer):
    """UK vehicle registrations: current, prefix and suffix formats, and any
    plate after a cue word."""

    def __init__(self, lexicon: NameLexicon) -> None:
        self.lexicon = lexicon
        super().__init__(
            supported_entity=VEHICLE_REG,
            name="VehicleRegistrationRecognizer",
            patterns=VEHICLE_PATTERNS,
        )

    def invalidate_result(self, pattern_text: str) -> bool | None:
        """Reject matches that read as words: "a1 and" or "m1 the" (a road and a
        word), "the 5 a side", "reg was in"."""
        compact = re.sub(r"[ \t-]", "", pattern_text).lower()
        if not any(char.isdigit() for char in compact):
            return True
        common = self.lexicon.common_words
        # A space between the first letters and the digits ("is 70 and", "s 90
        # and") is how words around a number look, not how plates are written.
        split_head = bool(re.match(r"[a-z]+[ \t-]+\d", pattern_text, re.IGNORECASE))
        current = CURRENT_PLATE.fullmatch(compact)
        if current:
            head, tail = current.group(1), current.group(2)
            if tail in FUNCTION_WORDS and compact != pattern_text.lower():
                return True  # "LE18 and"
            return split_head and (head in common or tail in common)
        prefix = PREFIX_PLATE.fullmatch(compact)
        if prefix:
            road_letter = prefix.group(1) in ROAD_LETTERS
            return (road_letter or split_head) and prefix.group(2) in common
        suffix = SUFFIX_PLATE.fullmatch(compact)
        if suffix:
            return suffix.group(1) in self.lexicon.common_words
        return False


CURRENT_PLATE = re.compile(r"([a-z]{2})\d{2}([a-z]{3})")
PREFIX_PLATE = re.compile(r"([a-z])\d{1,3}([a-z]{3})")
SUFFIX_PLATE = re.compile(r"([a-z]{3})\d{1,3}[a-z]")
# Letters of British road numbers: "a6", "b4" (also "before"), "m1".
ROAD_LETTERS = frozenset("abm")


class DateOfBirthRecognizer(PatternRecognizer):
    """Dates after a birth cue ("dob 3/4/88", "born on 12th march 1990", "born
    in 1990"), and full dates with a year before 2016 or a two-digit year from
    30."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity=DATE_OF_BIRTH,
            name="DateOfBirthRecognizer",
            patterns=DATE_OF_BIRTH_PATTERNS,
        )


class AddressRecognizer(PatternRecognizer):
    """House numbers with street names ("12 Melton Road", "flat 3, 45 narborough
    rd") and flat numbers ("flat 3")."""

    def __init__(self, lexicon: NameLexicon) -> None:
        self.lexicon = lexicon
        super().__init__(
            supported_entity=ADDRESS,
            name="AddressRecognizer",
            patterns=ADDRESS_PATTERNS,
        )

    def invalidate_result(self, pattern_text: str) -> bool | None:
        """Reject a match whose words between the number and the street suffix
        are not a street name ("3 times down the road", "20 mins walk")."""
        words = normalise_phrase(pattern_text).split()
        if words[0] in FLAT_WORDS and len(words) == 2:
            return False
        name_words = [
            word
            for word in words[:-1]
            if word not in FLAT_WORDS and not word[0].isdigit()
        ]
        if name_words == ["the"]:
            return False  # "12 The Crescent", "4 the green"
        return not name_words or any(
            word in NOT_STREET_WORDS or word in FUNCTION_WORDS for word in name_words
        )


def is_street_name_word(word: str, lexicon: NameLexicon) -> bool:
    """Tell whether `word` can be part of a street name."""
    if word in NOT_STREET_WORDS:
        return False
    return word not in lexicon.common_words or word in STREET_NAME_WORDS
