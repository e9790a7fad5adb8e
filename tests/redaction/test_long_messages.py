"""Messages as long as the gateway accepts (2,000 characters) redact in bounded
time: no recogniser backtracks without limit on long or repetitive text."""

import signal
from collections.abc import Iterator
from types import FrameType

import pytest

from directory.redaction import ConversationRedactor

# A hard stop that turns a runaway regular expression into a failure instead
# of a hung test run. It is far above the time a message takes.
HARD_LIMIT_SECONDS = 60
MAX_MESSAGE_CHARS = 2000


@pytest.fixture
def hard_limit() -> Iterator[None]:
    def stop(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"redaction ran past {HARD_LIMIT_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(HARD_LIMIT_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def repeat_to_limit(unit: str) -> str:
    return (unit * (MAX_MESSAGE_CHARS // len(unit) + 1))[:MAX_MESSAGE_CHARS]


def test_long_story_redacted(redactor: ConversationRedactor, hard_limit: None) -> None:
    story = repeat_to_limit(
        "my neighbour dave at 12 hazel close le4 6ab keeps shouting at me because "
        "im muslim, ring me on 07700 900123. "
    )
    result = redactor.redact(story)
    assert "dave" not in result
    assert "07700" not in result
    assert "[PERSON_1]" in result
    assert "muslim" in result


@pytest.mark.parametrize(
    "unit",
    [
        "a",
        "0",
        "0 ",
        "@",
        "a.",
        "aa ",
        "12 ",
        "road ",
        "called ",
        "x@y.",
        "http://",
        "le4 ",
        "my neighbour ",
    ],
)
def test_repetitive_text_bounded(
    redactor: ConversationRedactor, hard_limit: None, unit: str
) -> None:
    text = repeat_to_limit(unit)
    result = redactor.redact(text)
    assert isinstance(result, str)
