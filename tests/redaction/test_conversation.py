"""Placeholders of `ConversationRedactor`: consistent within one conversation,
independent between conversations, and no raw value in the redactor's state."""

import logging
import pickle
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from directory.redaction import ConversationRedactor, RedactionEngine

INVENTED_VALUES = (
    "Dave",
    "dave",
    "Sigrun",
    "07700 900123",
    "07700900123",
    "le4 6ab",
    "LE4 6AB",
    "12 Melton Road",
    "dave.example@gmail.com",
)
MESSAGES = (
    "my neighbour Dave keeps shouting at me, his number is 07700 900123",
    "dave did it again today and Sigrun from next door saw it",
    "we live at 12 Melton Road LE4 6AB",
    "ring 07700900123 or email dave.example@gmail.com, my postcode is le4 6ab",
)


# Messages in which two findings of one type are separated only by spaces,
# which Presidio's anonymizer merges into one span by default.
ADJACENT_FINDINGS = (
    "ring 07700 900123 07700 900456 now",
    "postcodes LE2 LE3 and LE4",
    "my neighbour Mary Jane Anne Smith Jones shouted",
    "Dave Smith Jones Brown Kelly Jane did it",
    "dave.example@gmail.com sigrun.example@gmail.com",
    "the reg AB12 CDE AB13 CDF",
    "राजेश, सुनील और अहमद",
)
PLACEHOLDER = re.compile(r"\[([A-Z_]+?)_(\d+)\]")


def numbers_by_type(texts: list[str]) -> dict[str, list[int]]:
    """Return the placeholder numbers of each type in order of appearance."""
    numbers: dict[str, list[int]] = {}
    for text in texts:
        for match in PLACEHOLDER.finditer(text):
            numbers.setdefault(match.group(1), []).append(int(match.group(2)))
    return numbers


@pytest.mark.parametrize("message", ADJACENT_FINDINGS)
def test_numbering_starts_at_one(engine: RedactionEngine, message: str) -> None:
    redactor = ConversationRedactor(engine=engine)

    redacted = redactor.redact(message)

    numbers = numbers_by_type([redacted])
    assert numbers
    for entity_type, seen in numbers.items():
        first_seen = list(dict.fromkeys(seen))
        assert first_seen == list(range(1, len(first_seen) + 1)), redacted
        assert redactor.counts()[entity_type] == len(first_seen), redacted


def test_numbering_has_no_gaps(engine: RedactionEngine) -> None:
    redactor = ConversationRedactor(engine=engine)

    redacted = [redactor.redact(message) for message in ADJACENT_FINDINGS + MESSAGES]

    for entity_type, seen in numbers_by_type(redacted).items():
        first_seen = list(dict.fromkeys(seen))
        assert first_seen == list(range(1, len(first_seen) + 1)), entity_type
        assert redactor.counts()[entity_type] == len(first_seen), entity_type


def test_adjacent_values_keep_own_numbers(redactor: ConversationRedactor) -> None:
    assert redactor.redact("ring 07700 900123 07700 900456") == (
        "ring [PHONE_1] [PHONE_2]"
    )
    assert redactor.redact("or just 07700 900456") == "or just [PHONE_2]"


def test_same_value_same_placeholder(redactor: ConversationRedactor) -> None:
    first = redactor.redact("my neighbour Dave keeps shouting at me")
    second = redactor.redact("then dave threw eggs at the window")
    assert first == "my neighbour [PERSON_1] keeps shouting at me"
    assert second == "then [PERSON_1] threw eggs at the window"


def test_new_values_numbered_in_order(redactor: ConversationRedactor) -> None:
    text = redactor.redact("my neighbour dave and his mate sigrun shouted at me")
    assert text == "my neighbour [PERSON_1] and his mate [PERSON_2] shouted at me"


def test_spelling_variants_share_placeholder(redactor: ConversationRedactor) -> None:
    assert redactor.redact("call 07700 900123") == "call [PHONE_1]"
    assert redactor.redact("or +44 7700 900123") == "or [PHONE_1]"
    assert redactor.redact("or (07700)900-123") == "or [PHONE_1]"
    assert redactor.redact("postcode LE4 6AB") == "postcode [POSTCODE_1]"
    assert redactor.redact("postcode le46ab") == "postcode [POSTCODE_1]"
    assert redactor.redact("the reg AB12 CDE") == "the reg [VEHICLE_REG_1]"
    assert redactor.redact("the reg ab12cde") == "the reg [VEHICLE_REG_1]"


def test_types_numbered_separately(redactor: ConversationRedactor) -> None:
    text = redactor.redact("dave rang me from 07700 900123, i live in le4 6ab")
    assert text == "[PERSON_1] rang me from [PHONE_1], i live in [POSTCODE_1]"


def test_conversations_numbered_independently(engine: RedactionEngine) -> None:
    first = ConversationRedactor(engine=engine)
    second = ConversationRedactor(engine=engine)
    assert first.redact("dave and sigrun did it") == "[PERSON_1] and [PERSON_2] did it"
    assert second.redact("sigrun did it") == "[PERSON_1] did it"
    assert second.redact("dave saw it") == "dave saw it".replace("dave", "[PERSON_2]")


def test_digests_differ_between_conversations(engine: RedactionEngine) -> None:
    first = ConversationRedactor(engine=engine)
    second = ConversationRedactor(engine=engine)
    first.redact("my neighbour dave")
    second.redact("my neighbour dave")
    assert all_strings(first._numbers) != all_strings(second._numbers)


def test_text_without_personal_data_unchanged(redactor: ConversationRedactor) -> None:
    text = "someone wrote racist graffiti on the bus shelter in Oadby"
    assert redactor.redact(text) == text
    assert redactor.redact("") == ""


def test_state_holds_no_raw_value(engine: RedactionEngine) -> None:
    redactor = ConversationRedactor(engine=engine)
    for message in MESSAGES:
        redactor.redact(message)
    redactor.redact_value("postcode", "LE4 6AB")
    state = all_strings(vars(redactor))
    for value in INVENTED_VALUES:
        for variant in {value, value.lower(), value.upper(), value.replace(" ", "")}:
            assert not any(variant in item for item in state), variant
    assert "Dave" not in repr(redactor)
    assert redactor.counts() == {
        "PERSON": 2,
        "PHONE": 1,
        "ADDRESS": 1,
        "POSTCODE": 1,
        "EMAIL": 1,
    }


def test_redactor_cannot_be_pickled(redactor: ConversationRedactor) -> None:
    redactor.redact("my neighbour dave")
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(redactor)


def test_default_engine_is_shared() -> None:
    first = ConversationRedactor()
    second = ConversationRedactor()
    assert first.engine is second.engine


def all_strings(value: Any) -> list[str]:
    """Collect every string (and dict key) reachable in `value`, except the
    shared engine, whose word lists contain names by design."""
    if isinstance(value, RedactionEngine):
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, bytes):
        return [value.hex(), value.decode("latin-1")]
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            items += all_strings(key) + all_strings(item)
        return items
    if isinstance(value, list | tuple | set | frozenset):
        return [text for item in value for text in all_strings(item)]
    return [repr(value)]


def test_no_value_in_logs(
    redactor: ConversationRedactor, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for logger_name in ("presidio-analyzer", "presidio-anonymizer"):
        caplog.set_level(logging.DEBUG, logger=logger_name)
    for message in MESSAGES:
        redactor.redact(message)
    assert caplog.records
    for value in INVENTED_VALUES:
        assert value not in caplog.text


def test_threads_share_numbering(engine: RedactionEngine) -> None:
    redactor = ConversationRedactor(engine=engine)
    names = [f"{name} smith" for name in ("dave", "sigrun", "kasia", "priya")]

    def redact(name: str) -> str:
        return redactor.redact(f"my neighbour {name} shouted at me")

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(redact, names * 25))
    placeholders = {result.split()[2] for result in results}
    assert placeholders == {f"[PERSON_{number}]" for number in range(1, 5)}
    assert redactor.counts() == {"PERSON": 4}
