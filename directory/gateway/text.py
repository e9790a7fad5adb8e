"""Cleaning and checking of the free text that visitors type."""

import enum
import unicodedata

# Control characters that visitors type on purpose. Every other character of the
# Unicode category Cc (NUL, escape, DEL and the C1 range) is removed.
_KEPT_CONTROL_CHARACTERS = frozenset("\n\t")

# Rasa 3.6 strips a message and, if it then starts with this prefix, reads it
# as an intent with entities (for example `/inform{"area":"melton"}`) instead of
# running NLU on it (`YAMLStoryReader.unpack_regex_message`). Without the prefix,
# text such as `inform{"area":"melton"}` goes through NLU like any other text.
COMMAND_PREFIX = "/"


class TextVerdict(enum.Enum):
    """Outcome of checking a cleaned message before it is sent to Rasa."""

    OK = "ok"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    COMMAND = "command"
    NO_WORDS = "no_words"


def clean_text(text: str) -> str:
    """Remove control characters and lone surrogates, and normalise line breaks.

    Lone surrogates can arrive through JSON escapes such as `"\\ud800"` and
    cannot be encoded as UTF-8, so they are removed with the control characters.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(character for character in text if _is_kept(character))


def _is_kept(character: str) -> bool:
    """Return whether `character` survives cleaning."""
    if character in _KEPT_CONTROL_CHARACTERS:
        return True
    return unicodedata.category(character) not in ("Cc", "Cs")


def check_text(cleaned: str, max_chars: int) -> TextVerdict:
    """Classify a cleaned message as safe to send to Rasa or not.

    The checks run in this order: empty or whitespace only, longer than
    `max_chars` characters, starting with the Rasa command prefix `/` after any
    whitespace, and containing no letter or digit at all.

    A message that starts with `/` is rejected as a whole rather than sent with
    the slash removed, because the rest of it (for example `inform{"area":...}`)
    is command syntax, not a description that NLU can read.
    """
    stripped = cleaned.strip()

    if not stripped:
        return TextVerdict.EMPTY
    if len(stripped) > max_chars:
        return TextVerdict.TOO_LONG
    if stripped.startswith(COMMAND_PREFIX):
        return TextVerdict.COMMAND
    if not any(character.isalnum() for character in stripped):
        return TextVerdict.NO_WORDS
    return TextVerdict.OK
