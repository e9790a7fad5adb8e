"""Redaction of one conversation, with placeholders numbered consistently."""

import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Callable
from typing import NoReturn

from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

from directory.redaction import patterns
from directory.redaction.engine import RedactionEngine, build_redactor
from directory.redaction.lexicon import STREET_ABBREVIATIONS, normalise_phrase
from directory.redaction.values import PLACE, redact_entity_value

_anonymizer = AnonymizerEngine()


class ConversationRedactor:
    """Redacts the messages of one conversation, in memory only.

    Each detected value becomes a typed placeholder such as `[PERSON_1]` or
    `[PHONE_2]`. The same value gets the same placeholder every time it comes
    back in this conversation ("Dave" and "dave" both become `[PERSON_1]`),
    and a new redactor starts again from 1, so placeholders of two
    conversations cannot be linked.

    The numbering map contains HMAC-SHA256 digests of the normalised values under
    a random key made for this object, never the values themselves. The key is
    kept only in this object's memory and is not returned, and the object
    refuses to be pickled, so the map is lost, as intended, when the object is.

    NOTE: anyone who can read this process's memory can still test guesses
    (a list of first names, say) against the digests with the key. The
    digests keep raw values out of dumps of the map, not out of reach of an
    attacker inside the process.

    Use one instance per conversation. The engine is shared.
    """

    def __init__(self, engine: RedactionEngine | None = None) -> None:
        self.engine = engine if engine is not None else build_redactor()
        self._key = secrets.token_bytes(32)
        self._numbers: dict[str, dict[str, int]] = {}
        # Two turns of one conversation may be redacted on two threads.
        self._lock = threading.Lock()

    def redact(self, text: str) -> str:
        """Return `text` with every personal detail replaced by its placeholder."""
        findings = self.engine.find(text)
        if not findings:
            return text
        # Number the placeholders in reading order before Presidio rewrites the
        # text, because it works from the end of the text backwards.
        for finding in findings:
            self.placeholder(finding.entity_type, text[finding.start : finding.end])
        operators = {
            entity_type: OperatorConfig(
                "custom", {"lambda": self._replacer(entity_type)}
            )
            for entity_type in {finding.entity_type for finding in findings}
        }
        results = [
            RecognizerResult(finding.entity_type, finding.start, finding.end, 1.0)
            for finding in findings
        ]
        # By default Presidio merges two findings of one type that only spaces
        # separate ("07700 900123 07700 900456"). The merged value would get a
        # number of its own after the two numbered above, so the first
        # placeholder of the conversation would be _3.
        return _anonymizer.anonymize(
            text, results, operators, merge_entities_with_spaces=False
        ).text

    def redact_value(self, entity_name: str, value: str) -> str:
        """Return the value of a Rasa entity as it may be logged.

        Label entities (`characteristic`, `area`, ...) and places that are
        towns, villages or neighbourhoods are kept. Postcodes, streets, names
        and the like become placeholders numbered with this conversation's
        text, and the value of an entity this module does not know is
        redacted like text. See `directory.redaction.values`.
        """
        return redact_entity_value(self, entity_name, value)

    def placeholder(self, entity_type: str, value: str) -> str:
        """Return the placeholder for `value`, numbering it if it is new."""
        digest = self._digest(entity_type, canonical_value(entity_type, value))
        with self._lock:
            numbers = self._numbers.setdefault(entity_type, {})
            if digest not in numbers:
                numbers[digest] = len(numbers) + 1
            number = numbers[digest]
        return f"[{entity_type}_{number}]"

    def counts(self) -> dict[str, int]:
        """Return how many distinct values of each type were redacted so far."""
        return {entity_type: len(seen) for entity_type, seen in self._numbers.items()}

    def _digest(self, entity_type: str, canonical: str) -> str:
        message = f"{entity_type}\x00{canonical}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def _replacer(self, entity_type: str) -> Callable[[str], str]:
        def replace(value: str) -> str:
            return self.placeholder(entity_type, value)

        return replace

    def __repr__(self) -> str:
        return f"ConversationRedactor(counts={self.counts()!r})"

    def __reduce__(self) -> NoReturn:
        raise TypeError(
            "ConversationRedactor cannot be pickled: its numbering map must stay "
            "in the memory of one process."
        )


def canonical_value(entity_type: str, value: str) -> str:
    """Return the form of `value` that decides whether two mentions are the
    same thing: case, spacing, dashes and +44 do not matter."""
    if entity_type == patterns.PHONE:
        digits = re.sub(r"\D", "", value)
        digits = digits.removeprefix("00")
        if digits.startswith("44") and len(digits) >= 12:
            digits = digits[2:]
            if not digits.startswith("0"):
                digits = "0" + digits
        return digits
    if entity_type in {patterns.POSTCODE, patterns.NI_NUMBER, patterns.VEHICLE_REG}:
        return re.sub(r"[^0-9A-Z]", "", value.upper())
    if entity_type == patterns.EMAIL:
        compact = re.sub(r"\s+", " ", value.lower()).strip()
        compact = re.sub(r"\s*(?:\(at\)|\[at\]|\bat\b|@)\s*", "@", compact)
        compact = re.sub(r"\s*(?:\bunder ?score\b|_)\s*", "_", compact)
        compact = re.sub(r"\s*(?:\bdash\b|\bhyphen\b|-)\s*", "-", compact)
        return re.sub(r"\s*(?:\(dot\)|\[dot\]|\bdot\b|\.)\s*", ".", compact)
    if entity_type == patterns.URL:
        url = re.sub(r"^[a-z]+://", "", value.lower().strip())
        return url.removeprefix("www.").rstrip("/")
    if entity_type == patterns.HANDLE:
        return value.lower().strip().lstrip("@")
    words = normalise_phrase(value).split()
    if entity_type in {patterns.ADDRESS, PLACE}:
        words = [STREET_ABBREVIATIONS.get(word, word) for word in words]
    return " ".join(words)
