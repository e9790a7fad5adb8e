"""Flagging a turn with its right intent and labels, and checking the flags."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.logs.models import LogTurn, utc_now
from directory.review.models import FLAGGED, REJECTED, REVIEWED, ReviewFlag
from directory.review.nlu_export import (
    BUTTON_PRESS_REASON,
    domain_entities,
    is_button_press,
    trainable_intents,
)

# Label rows offered on the flag form.
LABEL_ROWS = 3
LABEL_VALUE = re.compile(r"[a-z0-9_]{1,40}")
MAX_LABEL_WORDS = 200
DECISIONS = {"accept": REVIEWED, "reject": REJECTED}


@dataclass
class FlagForm:
    """A posted flag form, checked; `errors` maps field names to messages."""

    intent: str = ""
    labels: list[dict[str, str]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def read_flag_form(form: dict[str, str]) -> FlagForm:
    """Check the intent and the label rows of a posted flag form."""
    checked = FlagForm(intent=form.get("intent", "").strip())
    if checked.intent not in trainable_intents():
        checked.errors["intent"] = "Choose the intent the message should have had."

    entities = domain_entities()
    for row in range(LABEL_ROWS):
        entity = form.get(f"label_entity_{row}", "").strip()
        value = form.get(f"label_value_{row}", "").strip().lower()
        words = " ".join(form.get(f"label_text_{row}", "").split())
        if not (entity or value or words):
            continue
        if entity not in entities:
            checked.errors[f"label_entity_{row}"] = (
                f"Choose which label row {row + 1} sets."
            )
        if not LABEL_VALUE.fullmatch(value):
            checked.errors[f"label_value_{row}"] = (
                f"Enter the value of label row {row + 1} in lower case letters, "
                "digits and underscores, for example race."
            )
        if len(words) > MAX_LABEL_WORDS:
            checked.errors[f"label_text_{row}"] = (
                f"Enter at most {MAX_LABEL_WORDS} characters of the message for "
                f"label row {row + 1}."
            )
        checked.labels.append({"entity": entity, "value": value, "text": words})
    return checked


def check_turn_can_be_flagged(turn: LogTurn, checked: FlagForm) -> None:
    """Add an error to `checked` when the turn is a button press."""
    if is_button_press(turn):
        checked.errors["turn"] = BUTTON_PRESS_REASON


def save_flag(
    session: Session, turn: LogTurn, checked: FlagForm, staff_id: str | int
) -> ReviewFlag:
    """Create or replace the flag of a turn; it waits for a check again. Commit."""
    flag = session.scalar(select(ReviewFlag).where(ReviewFlag.turn_id == turn.id))
    if flag is None:
        flag = ReviewFlag(turn_id=turn.id, conversation_id=turn.conversation_id)
        session.add(flag)
    flag.intent = checked.intent
    flag.labels = checked.labels
    flag.status = FLAGGED
    flag.flagged_by = str(staff_id)
    flag.flagged_at = utc_now()
    flag.reviewed_by = None
    flag.reviewed_at = None
    session.commit()
    return flag


class FlagDecisionError(ValueError):
    """A check of a flag that cannot be recorded; the message gives the reason."""


def decide_flag(
    session: Session, flag: ReviewFlag, decision: str, staff_id: str | int
) -> None:
    """Mark a flag reviewed or rejected by another account than the flagger; commit."""
    status = DECISIONS.get(decision)
    if status is None:
        raise FlagDecisionError("Choose whether to use the flag for training.")
    if flag.flagged_by == str(staff_id):
        raise FlagDecisionError(
            "Another reviewer has to check this flag, because you flagged it."
        )
    flag.status = status
    flag.reviewed_by = str(staff_id)
    flag.reviewed_at = utc_now()
    session.commit()
