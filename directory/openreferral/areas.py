"""Area filters of the public API: council areas and LLR postcode districts.

Areas are the codes of the `sos-areas` taxonomy: the nine council ids, `llr`
for the whole of Leicester, Leicestershire and Rutland, and `national`. A
postcode is reduced to its district (outward code) and looked up in
`data/llr_postcode_districts.csv`, which lists the councils each district
spans.
"""

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from directory import vocabulary
from directory.settings import settings

POSTCODE_DISTRICTS_FILE_NAME = "llr_postcode_districts.csv"

# A full UK postcode ("LE1 5WW", "le15ww") or its outward code alone ("LE1").
# The pattern checks the shape only; whether the postcode exists is not known.
POSTCODE_PATTERN = re.compile(
    r"^(?P<district>[A-Z]{1,2}[0-9][A-Z0-9]?)(?:\s*(?P<sector>[0-9])(?P<unit>[A-Z]{2}))?$"
)

AREA_CODES = (*vocabulary.COUNCIL_IDS, vocabulary.LLR, vocabulary.NATIONAL)


class InvalidPostcodeError(ValueError):
    """The text does not have the shape of a UK postcode or postcode district."""


@dataclass(frozen=True)
class AreaFilter:
    """The `sos-areas` codes of which a service must carry at least one."""

    codes: frozenset[str]


def postcode_district(postcode: str) -> str:
    """Return the outward code of a UK postcode, or raise InvalidPostcodeError."""
    normalised = " ".join(postcode.upper().split())
    match = POSTCODE_PATTERN.match(normalised)
    if match is None:
        raise InvalidPostcodeError(
            f"{postcode!r} is not a UK postcode. Give a full postcode such as "
            "'LE1 5WW' or a postcode district such as 'LE1'."
        )
    return match.group("district")


@cache
def load_postcode_districts(path: Path | None = None) -> dict[str, frozenset[str]]:
    """Read the council ids of each LLR postcode district from the data file."""
    source = path or settings.data_dir / POSTCODE_DISTRICTS_FILE_NAME
    with source.open(newline="", encoding="utf-8") as file:
        return {
            row["district"].strip().upper(): frozenset(
                code.strip() for code in row["councils"].split(";") if code.strip()
            )
            for row in csv.DictReader(file)
        }


def filter_for_area(area: str) -> AreaFilter:
    """Return the area codes that cover `area`, one of `AREA_CODES`.

    A council is covered by its own services, LLR-wide ones and national ones;
    `llr` by LLR-wide and national services; `national` by national ones only.
    """
    if area == vocabulary.NATIONAL:
        return AreaFilter(frozenset({vocabulary.NATIONAL}))
    if area == vocabulary.LLR:
        return AreaFilter(frozenset({vocabulary.LLR, vocabulary.NATIONAL}))
    return AreaFilter(frozenset({area, vocabulary.LLR, vocabulary.NATIONAL}))


def filter_for_postcode(postcode: str) -> AreaFilter:
    """Return the area codes that cover a postcode.

    A district that spans several councils includes the services of each of
    them. A well-formed postcode outside LLR gets national services only.
    """
    councils = load_postcode_districts().get(postcode_district(postcode))
    if not councils:
        return AreaFilter(frozenset({vocabulary.NATIONAL}))
    return AreaFilter(councils | {vocabulary.LLR, vocabulary.NATIONAL})
