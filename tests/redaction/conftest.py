"""Fixtures for the redaction tests: the shared engine and a fresh redactor.

Every person, number and address in these tests is invented.
"""

from collections.abc import Callable
from functools import partial

import pytest

from directory.redaction import ConversationRedactor, RedactionEngine, build_redactor


@pytest.fixture(scope="session")
def engine() -> RedactionEngine:
    return build_redactor()


@pytest.fixture
def redactor(engine: RedactionEngine) -> ConversationRedactor:
    return ConversationRedactor(engine=engine)


@pytest.fixture
def covering_types(engine: RedactionEngine) -> Callable[[str, str], set[str]]:
    return partial(redacted_types, engine)


def redacted_types(engine: RedactionEngine, text: str, value: str) -> set[str]:
    """Return the types of the findings covering `value` in `text`, or an empty
    set when some character of it is left in clear."""
    start = text.index(value)
    end = start + len(value)
    covering = [
        finding
        for finding in engine.find(text)
        if finding.start < end and start < finding.end
    ]
    for position in range(start, end):
        if text[position].isspace():
            continue
        if not any(f.start <= position < f.end for f in covering):
            return set()
    return {finding.entity_type for finding in covering}
