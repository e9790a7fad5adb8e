"""Reading logged slots as a signposting situation (directory.logs.situation)."""

import pytest

from directory.logs.situation import situation_from_slots


@pytest.mark.parametrize(
    ("answer", "urgent"),
    [
        ("yes", True),
        ("unsure", True),
        ("no", False),
        ("not_said", False),
        ("not_answered", False),
        (None, False),
    ],
)
def test_danger_answer_sets_urgent(answer: str | None, urgent: bool) -> None:
    situation = situation_from_slots(
        {"characteristics": ["race"], "danger_now": answer}
    )

    assert situation is not None
    assert situation.urgent is urgent


def test_danger_label_sets_urgent_without_answer() -> None:
    situation = situation_from_slots({"urgency": ["danger_now"], "danger_now": "no"})

    assert situation is not None
    assert situation.urgent is True
