"""Checks of the values staff type: UK phone numbers, email addresses, web
addresses and opening times. Each check returns an error message or None."""

import re
from urllib.parse import urlsplit

# Three-digit and 116 numbers: emergency (999, 112), police non-emergency (101),
# NHS (111, 119), power cuts (105), and the 116 helplines (Samaritans 116 123).
SHORT_NUMBERS = frozenset({"999", "112", "101", "111", "105", "119"})
# Text relay (Relay UK): 18000 reaches the emergency services, and 18001 is
# dialled before any other number.
RELAY_EMERGENCY = "18000"
RELAY_PREFIX = "18001"

_SEPARATORS = re.compile(r"[\s\-().]")
# A national number: 0 then 10 digits, or 0 then 9 digits for some 01 areas and
# 0800 numbers. Area codes start 1 or 2, non-geographic numbers 3, 5, 7, 8 or 9.
_NATIONAL = re.compile(r"0[1-35789]\d{9}|01\d{8}|0800\d{6}|0800\d{4}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")

PHONE_HELP = (
    "Enter a UK phone number, like 0116 305 8263, 0800 1111 or 101. "
    "For text relay, put 18001 before the number."
)


def phone_digits(number: str) -> str:
    """Return the digits of a number, with +44 turned into a leading 0."""
    digits = _SEPARATORS.sub("", number)
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    return digits


def is_uk_phone(number: str) -> bool:
    """Return whether a number can be dialled in the UK."""
    digits = phone_digits(number)
    if not digits.isdigit():
        return False
    if digits == RELAY_EMERGENCY:
        return True
    if digits.startswith(RELAY_PREFIX) and len(digits) > len(RELAY_PREFIX):
        return is_uk_phone(digits[len(RELAY_PREFIX) :])
    if digits in SHORT_NUMBERS:
        return True
    if len(digits) == 6 and digits.startswith("116"):
        return True
    return _NATIONAL.fullmatch(digits) is not None


def phone_error(number: str) -> str | None:
    """Return why a phone number is not a UK number, or None if it is."""
    if not is_uk_phone(number):
        return f"{number!r} is not a UK phone number. {PHONE_HELP}"
    return None


def email_error(email: str) -> str | None:
    """Return why an email address is invalid, or None if it looks valid."""
    if len(email) > 254 or _EMAIL.fullmatch(email) is None:
        return (
            f"{email!r} is not a valid email address. Enter it in the form "
            "name@example.org.uk."
        )
    return None


def url_error(url: str) -> str | None:
    """Return why a web address is invalid, or None if it is a full http(s) URL."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if (
        len(url) > 2048
        or parts.scheme not in ("http", "https")
        or "." not in host
        or " " in url
    ):
        return (
            f"{url!r} is not a full web address. Enter it starting with "
            "https://, like https://www.example.org.uk/page."
        )
    return None


def time_error(value: str, label: str) -> str | None:
    """Return why an opening time is invalid, or None if it is HH:MM (24-hour)."""
    if _TIME.fullmatch(value) is None:
        return (
            f"Enter the {label} time as hours and minutes on the 24-hour clock, "
            "like 09:00 or 17:30."
        )
    return None
