"""Redaction of personal data in what visitors type, so that conversation logs
can be kept without it.

    from directory.redaction import ConversationRedactor, build_redactor

    redactor = ConversationRedactor(engine=build_redactor())  # one per conversation
    redactor.redact("my neighbour Dave at 12 Melton Road")
    # -> "my neighbour [PERSON_1] at [ADDRESS_1]"
    redactor.redact_value("postcode", "LE4 6AB")  # -> "[POSTCODE_1]"

`build_redactor()` builds the shared Presidio analyzer once (cached) on spaCy's
blank English pipeline, with no model and no network. A `ConversationRedactor`
keeps only keyed digests of the values it has seen, in memory. The placeholder
types are the `entity_types` of the engine: PERSON, PHONE, EMAIL, URL, HANDLE,
POSTCODE, ADDRESS, NI_NUMBER, VEHICLE_REG and DATE_OF_BIRTH, plus PLACE for an
unknown place in an entity value.
"""

from directory.redaction.conversation import ConversationRedactor
from directory.redaction.engine import Finding, RedactionEngine, build_redactor
from directory.redaction.values import is_personal_entity, redact_value

__all__ = [
    "ConversationRedactor",
    "Finding",
    "RedactionEngine",
    "build_redactor",
    "is_personal_entity",
    "redact_value",
]
