"""Recognition of UK postcodes and outward codes in free text.

A full postcode ("LE11 3TU", "le113tu") is an outward code (area letters,
district number, and in central London a final letter) followed by an inward
code (a digit and two letters). A bare outward code ("LE4", "B15") is also
accepted, with the checks in `accept_outward_code` against look-alikes such as
motorway numbers. Which council a district belongs to is decided elsewhere.
"""

from __future__ import annotations

import re

# All UK postcode areas, including the Crown dependencies (GY, JE, IM).
POSTCODE_AREA_LIST = (
    "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG "
    "DH DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM "
    "IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW "
    "OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY "
    "TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE"
)
POSTCODE_AREAS = frozenset(POSTCODE_AREA_LIST.split())

# Only central London districts end in a letter (EC1A, SW1A, W1A, E1W, N1C).
LETTER_SUFFIX_AREAS = frozenset({"EC", "WC", "W", "SW", "SE", "E", "N", "NW"})

# Outward codes of these areas count even in lower case ("le18"): they are the
# areas in and around LLR, where a bare outward code is most likely meant.
LOWER_CASE_AREAS = frozenset({"LE", "DE", "NG", "PE", "CV", "NN"})

# Outward codes that are more often something else: vitamins, language levels,
# fuels, gases, phones, software, summits, the HS2 railway. Like every code of
# the M area (motorways), they count only after the word "postcode".
# NOTE: this list is a judgement, not exhaustive.
LOOKALIKE_OUTWARD_CODE_LIST = (
    "B1 B2 B6 B12 CH4 CO2 E5 E10 G7 G20 HS2 N2 N95 S7 S8 S9 S10 S20 S21 S22 S23 "
    "S24 SO2 W10 W11 WD40"
)
LOOKALIKE_OUTWARD_CODES = frozenset(LOOKALIKE_OUTWARD_CODE_LIST.split())

FULL_POSTCODE = re.compile(
    r"\b([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)[ \t]*([0-9][A-Za-z]{2})\b"
)
OUTWARD_CODE = re.compile(r"\b([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)\b")
OUTWARD_SHAPE = re.compile(r"^([A-Z]{1,2})([0-9]{1,2}|[0-9][A-Z])$")
POSTCODE_CUE = re.compile(r"post\s*code", re.IGNORECASE)
# A current UK vehicle registration, such as "AB12 CDE", starts with what looks
# like an outward code. Three capital letters after it mark the registration.
REGISTRATION_FRONT = re.compile(r"^[A-Z]{2}[0-9]{2}$")
REGISTRATION_BACK = re.compile(r"^ ?[A-Z]{3}\b")

# How far before an outward code (in characters) the word "postcode" counts.
POSTCODE_CUE_WINDOW = 20


def postcode_area(outward: str) -> str | None:
    """Return the area letters of a well-formed upper-case outward code, else None."""
    shape = OUTWARD_SHAPE.match(outward)
    if not shape:
        return None
    area, district = shape.groups()
    if area not in POSTCODE_AREAS:
        return None
    if district[-1].isalpha() and area not in LETTER_SUFFIX_AREAS:
        return None
    return area


def accept_outward_code(raw: str, text: str, start: int) -> bool:
    """Decide whether a bare outward code such as "LE4" or "B15" is a postcode.

    Codes of the areas around LLR count in any case. Others must be written in
    capitals, and motorway-like or look-alike codes also need the word
    "postcode" just before them. The front half of a vehicle registration
    ("AB12 CDE") never counts.
    """
    outward = raw.upper()
    area = postcode_area(outward)
    if area is None:
        return False
    if REGISTRATION_FRONT.match(raw) and REGISTRATION_BACK.match(
        text[start + len(raw) :]
    ):
        return False
    if area in LOWER_CASE_AREAS:
        return True
    if not raw.isupper():
        return False
    if area == "M" or outward in LOOKALIKE_OUTWARD_CODES:
        window = text[max(0, start - POSTCODE_CUE_WINDOW) : start]
        return bool(POSTCODE_CUE.search(window))
    return True


def find_postcodes(text: str) -> list[tuple[str, int, int]]:
    """Find full postcodes and bare outward codes as (outward code, start, end).

    The outward code is returned in upper case. Only the district matters to
    the callers, so the inward code is not returned.
    """
    found = []
    full_spans: list[tuple[int, int]] = []
    for match in FULL_POSTCODE.finditer(text):
        outward = match.group(1).upper()
        if postcode_area(outward):
            found.append((outward, match.start(), match.end()))
            full_spans.append((match.start(), match.end()))
    for match in OUTWARD_CODE.finditer(text):
        if any(start <= match.start() < end for start, end in full_spans):
            continue
        if accept_outward_code(match.group(1), text, match.start()):
            found.append((match.group(1).upper(), match.start(), match.end()))
    return sorted(found, key=lambda postcode: postcode[1])
