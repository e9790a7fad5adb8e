"""Clean the values of an imported feed: HTML, phone numbers, times, ids, links.

Each function returns the cleaned value or raises `InvalidValueError` with a
message that names the problem, so the importer can drop or reject it.
"""

import html
import re
import uuid
from datetime import UTC, date, datetime, time
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from directory.db.models import ID_LENGTH

# Times without an offset in UK feeds are local time.
FEED_TIMEZONE = ZoneInfo("Europe/London")
# Namespace of the ids made for records that arrive without one, so that the
# same record imported twice gets the same id.
IMPORT_NAMESPACE = uuid.UUID("6f2b8a0e-4d3c-5b1a-9e7f-0c2d4e6a8b1c")

PHONE_TYPES = ("voice", "text", "textphone", "fax", "cell", "video", "pager")
MIN_PHONE_DIGITS = 3
MAX_PHONE_DIGITS = 15

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "blockquote",
}
_SKIPPED_TAGS = {"script", "style"}
_TAG_PATTERN = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|&[#a-zA-Z0-9]+;")

# A label before the number, such as "Tel:", "Text 07700...", "Freephone -".
_PHONE_LABEL = re.compile(
    r"^\s*(?P<label>telephone|tel|phone|ph|mobile|mob|text(?:\s*phone)?|sms|"
    r"freephone|helpline|fax|minicom|call)\b\s*[.:\-]?\s*",
    re.IGNORECASE,
)
_PHONE_EXTENSION = re.compile(
    r"\s*(?:ext(?:ension)?\.?|x)\s*(?P<extension>\d{1,6})\s*$", re.IGNORECASE
)
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9\s()\-.]+$")
_LABEL_TYPES = {
    "text": "text",
    "sms": "text",
    "textphone": "textphone",
    "text phone": "textphone",
    "minicom": "textphone",
    "fax": "fax",
    "mobile": "cell",
    "mob": "cell",
}

_EMAIL_PATTERN = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_UK_DATE = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)


class InvalidValueError(ValueError):
    """A value of the feed that cannot be cleaned into a usable one."""


class _TextExtractor(HTMLParser):
    """Collect the text of an HTML fragment, with line breaks for block tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS and tag != "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def strip_html(text: str) -> str:
    """Return the text of an HTML fragment; plain text passes through unchanged."""
    if not _TAG_PATTERN.search(text):
        return text
    extractor = _TextExtractor()
    extractor.feed(text)
    extractor.close()
    return html.unescape("".join(extractor.parts))


def clean_text(value: object) -> str | None:
    """Return multi-line text without HTML, with tidy spaces, or None if empty."""
    if value is None:
        return None
    text = strip_html(str(value)).replace("\r\n", "\n").replace("\r", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return cleaned or None


def clean_line(value: object) -> str | None:
    """Return one line of text without HTML, or None if empty."""
    if value is None:
        return None
    cleaned = " ".join(strip_html(str(value)).split())
    return cleaned or None


def clean_id(value: object) -> str | None:
    """Return an id as text, or None if missing; reject one too long to store."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text:
        return None
    if len(text) > ID_LENGTH:
        raise InvalidValueError(f"id is longer than {ID_LENGTH} characters")
    if any(ord(char) < 32 for char in text):
        raise InvalidValueError("id contains control characters")
    return text


def derived_id(*parts: str | None) -> str:
    """Return a stable id made from the given values, for a record without one."""
    key = "\x1f".join((part or "").strip().casefold() for part in parts)
    return str(uuid.uuid5(IMPORT_NAMESPACE, key))


class CleanPhone:
    """A phone number with its extension and the type its label implied."""

    def __init__(self, number: str, extension: int | None, label_type: str | None):
        self.number = number
        self.extension = extension
        self.label_type = label_type


def clean_phone(value: object) -> CleanPhone:
    """Return the number without a label such as "Tel:", and any extension."""
    text = " ".join(strip_html(str(value or "")).split())
    label_type = None
    label = _PHONE_LABEL.match(text)
    if label:
        label_type = _LABEL_TYPES.get(" ".join(label.group("label").lower().split()))
        text = text[label.end() :]

    extension = None
    extension_match = _PHONE_EXTENSION.search(text)
    if extension_match:
        extension = int(extension_match.group("extension"))
        text = text[: extension_match.start()]

    number = text.strip(" .,;:-")
    if not number:
        raise InvalidValueError(f"phone {value!r} has no number")
    if not _PHONE_CHARACTERS.match(number):
        raise InvalidValueError(
            f"phone {value!r} contains text that is not part of a number"
        )
    digits = sum(char.isdigit() for char in number)
    if not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS:
        raise InvalidValueError(
            f"phone {value!r} has {digits} digits; a phone number has "
            f"{MIN_PHONE_DIGITS} to {MAX_PHONE_DIGITS}"
        )
    return CleanPhone(" ".join(number.split()), extension, label_type)


def clean_phone_type(value: object) -> str | None:
    """Return an RFC 6350 phone type as HSDS names it, or None if unknown."""
    text = clean_line(value)
    if text is None:
        return None
    lowered = text.lower()
    if lowered in PHONE_TYPES:
        return lowered
    return _LABEL_TYPES.get(lowered, "voice" if lowered in {"phone", "tel"} else None)


def parse_timestamp(value: object) -> datetime | None:
    """Return an ISO 8601 or UK "dd/mm/yyyy hh:mm" time as an aware UTC datetime.

    A time without an offset is taken as Europe/London local time, and a date
    alone as midnight there.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    moment = _parse_uk_date(text)
    if moment is None:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise InvalidValueError(f"time {text!r} is not an ISO 8601 time") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=FEED_TIMEZONE)
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise InvalidValueError(f"time {text!r} is out of range") from exc


def parse_date(value: object) -> date | None:
    """Return the date of an ISO 8601 or UK "dd/mm/yyyy" date or time."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    uk = _parse_uk_date(text)
    if uk is not None:
        return uk.date()
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise InvalidValueError(f"date {text!r} is not an ISO 8601 date") from exc


def _parse_uk_date(text: str) -> datetime | None:
    match = _UK_DATE.match(text)
    if match is None:
        return None
    day, month, year, hour, minute, second = match.groups()
    try:
        return datetime.combine(
            date(int(year), int(month), int(day)),
            time(int(hour or 0), int(minute or 0), int(second or 0)),
        )
    except ValueError as exc:
        raise InvalidValueError(f"date {text!r} does not exist") from exc


def clean_url(value: object) -> str | None:
    """Return an http or https URL, adding https:// to a bare domain."""
    text = clean_line(value)
    if text is None:
        return None
    if re.match(r"^[a-z][a-z0-9+.\-]*://", text, re.IGNORECASE):
        if not text.lower().startswith(("http://", "https://")):
            raise InvalidValueError(f"link {text!r} is not an http or https URL")
        return text
    if re.match(r"^(www\.)?[a-z0-9\-]+(\.[a-z0-9\-]+)+(/\S*)?$", text, re.IGNORECASE):
        return f"https://{text}"
    raise InvalidValueError(f"link {text!r} is not a web address")


def clean_email(value: object) -> str | None:
    """Return an email address without a "mailto:" prefix."""
    text = clean_line(value)
    if text is None:
        return None
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    if not _EMAIL_PATTERN.match(text):
        raise InvalidValueError(f"email {text!r} is not an email address")
    return text


def clean_age(value: object) -> int | None:
    """Return an age in whole years from 0 to 130."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        age = int(float(str(value).strip()))
    except ValueError as exc:
        raise InvalidValueError(f"age {value!r} is not a number") from exc
    if not 0 <= age <= 130:
        raise InvalidValueError(f"age {age} is outside 0 to 130")
    return age


def clean_extension(value: object) -> int | None:
    """Return a phone extension as a whole number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if not text.isdigit() or len(text) > 9:
        raise InvalidValueError(f"extension {value!r} is not a whole number")
    return int(text)


def clean_number(value: object) -> float | None:
    """Return a latitude or longitude as a float."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return float(str(value).strip())
    except ValueError as exc:
        raise InvalidValueError(f"coordinate {value!r} is not a number") from exc
