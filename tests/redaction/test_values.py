"""Rasa entity and slot values: labels and towns kept, personal values redacted."""

import pytest

from directory.redaction import ConversationRedactor, is_personal_entity, redact_value


@pytest.mark.parametrize(
    ("entity", "value"),
    [
        ("characteristic", "religion"),
        ("faith", "muslim"),
        ("incident_type", "verbal_abuse"),
        ("area", "charnwood"),
        ("characteristics", "sexual_orientation"),
        ("place", "Oadby"),
        ("place", "braunstone town"),
        ("town", "Loughborough"),
        ("place", "Highfields"),
    ],
)
def test_labels_and_towns_kept(
    redactor: ConversationRedactor, entity: str, value: str
) -> None:
    assert redactor.redact_value(entity, value) == value


@pytest.mark.parametrize(
    ("entity", "value", "placeholder"),
    [
        ("postcode", "LE4 6AB", "[POSTCODE_1]"),
        ("postcode_district", "LE2", "[POSTCODE_1]"),
        ("street", "Hazel Close", "[ADDRESS_1]"),
        ("address", "12 melton road", "[ADDRESS_1]"),
        ("name", "Dave", "[PERSON_1]"),
        ("phone_number", "07700 900123", "[PHONE_1]"),
        ("place", "12 hazel close", "[ADDRESS_1]"),
        ("place", "Xyzzyville", "[PLACE_1]"),
    ],
)
def test_personal_values_redacted(
    redactor: ConversationRedactor, entity: str, value: str, placeholder: str
) -> None:
    assert redactor.redact_value(entity, value) == placeholder


def test_value_shares_text_numbering(redactor: ConversationRedactor) -> None:
    assert redactor.redact("my postcode is le4 6ab") == "my postcode is [POSTCODE_1]"
    assert redactor.redact_value("postcode", "LE4 6AB") == "[POSTCODE_1]"
    assert redactor.redact_value("postcode", "LE1 1AA") == "[POSTCODE_2]"


def test_free_text_in_label_entity_redacted(redactor: ConversationRedactor) -> None:
    value = redactor.redact_value("characteristic", "my neighbour dave is racist")
    assert value == "my neighbour [PERSON_1] is racist"


def test_unknown_entity_redacted_as_text(redactor: ConversationRedactor) -> None:
    assert redactor.redact_value("note", "ring 07700 900123") == "ring [PHONE_1]"
    assert redactor.redact_value("note", "in Oadby") == "in Oadby"


def test_is_personal_entity() -> None:
    places = frozenset({"oadby"})
    assert not is_personal_entity("area", "oadby_and_wigston", places)
    assert is_personal_entity("area", "Oadby and Wigston!", places)
    assert not is_personal_entity("place", "Oadby", places)
    assert is_personal_entity("place", "Hazel Close", places)
    assert is_personal_entity("postcode", "LE4 6AB", places)
    assert is_personal_entity("anything_else", "x", places)


def test_redact_value_without_redactor() -> None:
    assert redact_value("postcode", "LE4 6AB") == "[POSTCODE_1]"
    assert redact_value("area", "charnwood") == "charnwood"
