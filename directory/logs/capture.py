"""Turn Rasa tracker events into redacted log turns.

Rasa publishes each new tracker event as a JSON object with `sender_id` (the
gateway's conversation id) and the event's own fields. Both receivers, the
loopback HTTP endpoint and the RabbitMQ consumer, pass the events here in the
order Rasa published them. Events of conversations that have no log row (never
issued by the gateway, or already deleted) are dropped unread. So are the
events of a conversation deleted while its batch is being stored: the write
then finds no row, and the batch is applied again without it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from directory.logs.models import ConversationLog, LogTurn, utc_now
from directory.logs.redactors import RedactorCache
from directory.logs.replies import redact_reply
from directory.logs.situation import SITUATION_SLOTS, assess, clean_slot_value
from directory.signposting.content import ContentError

logger = logging.getLogger(__name__)

FALLBACK_INTENTS = frozenset({"nlu_fallback"})
# Actions that run when Rasa could not tell what the visitor meant
# (`core_fallback_action_name` in bot/config.yml, and Rasa's default).
FALLBACK_ACTIONS = frozenset({"action_misunderstood", "action_default_fallback"})
LISTEN_ACTION = "action_listen"
# Events after which the slots start empty again.
RESET_EVENTS = frozenset({"reset_slots", "restart", "session_started"})
BUTTON_PREFIX = "/"
# Maximum attempts to store a batch while its conversations are being deleted.
INGEST_ATTEMPTS = 3


@dataclass
class IngestCounts:
    """How many events of a batch were stored, and how many were dropped."""

    stored: int = 0
    dropped: int = 0


def ingest_events(
    session: Session, events: list[dict[str, Any]], redactors: RedactorCache
) -> IngestCounts:
    """Apply the events in order and commit; return the stored and dropped counts.

    The latest turn of each conversation is looked up once per batch and then
    followed in memory, so a batch costs one query per conversation instead of
    one per event.

    A conversation deleted after its log was read and before the commit makes
    the commit fail with `StaleDataError`, because the log's update matches no
    row. The batch is then rolled back and applied again, and the deleted
    conversation's events find no log and are dropped, as after a deletion.
    """
    for attempt in range(1, INGEST_ATTEMPTS + 1):
        logged: set[str] = set()
        try:
            return _ingest_once(session, events, redactors, logged)
        except StaleDataError:
            session.rollback()
            deleted = _deleted_conversations(session, events, logged)
            if not deleted or attempt == INGEST_ATTEMPTS:
                raise
            for conversation_id, count in deleted.items():
                # The failed attempt may have made a redactor again.
                redactors.forget(conversation_id)
                logger.info(
                    "Dropping %d events of conversation %s, deleted while they "
                    "were being stored",
                    count,
                    conversation_id,
                )
    raise AssertionError("unreachable")


def _deleted_conversations(
    session: Session, events: list[dict[str, Any]], logged: set[str]
) -> dict[str, int]:
    """Return the conversations of `logged` that no longer have a log, each with
    its number of events in the batch."""
    existing = set(
        session.scalars(
            select(ConversationLog.conversation_id).where(
                ConversationLog.conversation_id.in_(sorted(logged))
            )
        )
    )
    session.rollback()
    counts: dict[str, int] = {}
    for event in events:
        conversation_id = event.get("sender_id")
        if conversation_id in logged and conversation_id not in existing:
            counts[conversation_id] = counts.get(conversation_id, 0) + 1
    return counts


def _ingest_once(
    session: Session,
    events: list[dict[str, Any]],
    redactors: RedactorCache,
    logged: set[str],
) -> IngestCounts:
    """Apply the events once and commit; add to `logged` the conversations
    whose log was found."""
    counts = IngestCounts()
    latest: dict[str, LogTurn | None] = {}
    # Without autoflush the batch writes nothing until the commit. On SQLite
    # the first write takes the database's write lock. An early flush would
    # hold it while the rest of the batch is redacted, and the gateway's own
    # writes would wait.
    with session.no_autoflush:
        for event in events:
            if apply_event(session, event, redactors, latest):
                counts.stored += 1
            else:
                counts.dropped += 1
    # `latest` has an entry for each conversation whose log was found.
    logged.update(latest)
    session.commit()
    return counts


def apply_event(
    session: Session,
    event: dict[str, Any],
    redactors: RedactorCache,
    latest: dict[str, LogTurn | None] | None = None,
) -> bool:
    """Apply one event to its conversation's log; return False if it was dropped.

    `latest` maps conversation ids to their latest turn, as far as this batch
    has seen; it is read and updated here.
    """
    conversation_id = event.get("sender_id")
    if not isinstance(conversation_id, str):
        return False
    log = session.get(ConversationLog, conversation_id)
    if log is None:
        return False

    log.last_event_at = utc_now()
    kind = event.get("event")
    latest = {} if latest is None else latest
    if conversation_id not in latest:
        latest[conversation_id] = latest_turn(session, conversation_id)
    turn = latest[conversation_id]

    if kind == "user":
        if is_redelivery(turn, event):
            return False
        latest[conversation_id] = start_turn(session, log, turn, event, redactors)
        return True
    if turn is None or turn.complete:
        # Events between two turns, such as a new session's start, belong to
        # no turn. A reset among them empties the next turn's situation.
        if kind in RESET_EVENTS:
            log.reset_before_next_turn = True
        return True

    if kind == "slot":
        record_slot(turn, event, redactors)
    elif kind in RESET_EVENTS:
        turn.situation = {}
    elif kind == "bot":
        record_reply(turn, event, redactors)
    elif kind == "action":
        record_action(session, turn, event)
    return True


def is_redelivery(turn: LogTurn | None, event: dict[str, Any]) -> bool:
    """Return whether a user event is the latest turn's message delivered again.

    RabbitMQ delivers a message again when the consumer stopped before it
    acknowledged it, and the turn's later events then find the turn complete.
    """
    message_id = event.get("message_id")
    return (
        turn is not None
        and isinstance(message_id, str)
        and turn.message_id == message_id
    )


def latest_turn(session: Session, conversation_id: str) -> LogTurn | None:
    """Return the conversation's turn with the highest number, if any."""
    return session.scalars(
        select(LogTurn)
        .where(LogTurn.conversation_id == conversation_id)
        .order_by(LogTurn.turn_number.desc())
        .limit(1)
    ).first()


def start_turn(
    session: Session,
    log: ConversationLog,
    previous: LogTurn | None,
    event: dict[str, Any],
    redactors: RedactorCache,
) -> LogTurn:
    """Add a turn for a visitor message, with its text and entities redacted."""
    message_id = event.get("message_id")
    raw_text = event.get("text")
    text = raw_text if isinstance(raw_text, str) else ""
    parse_data = event.get("parse_data") or {}
    intent = parse_data.get("intent") or {}
    intent_name = intent.get("name") if isinstance(intent.get("name"), str) else None
    confidence = intent.get("confidence")

    redactor = redactors.get(log.conversation_id)
    # The text first, so that its placeholders are numbered in reading order
    # from 1 even when an entity value is not a span the text redaction finds.
    visitor_text = redactor.redact(text)
    entities = [
        {
            "entity": str(entity.get("entity")),
            "value": redactor.redact_value(
                str(entity.get("entity")), str(entity.get("value"))
            ),
        }
        for entity in parse_data.get("entities") or []
        if isinstance(entity, dict)
    ]

    turn = LogTurn(
        conversation_id=log.conversation_id,
        turn_number=(previous.turn_number + 1) if previous else 1,
        message_id=message_id[:64] if isinstance(message_id, str) else None,
        occurred_at=event_time(event),
        input_kind="button" if text.startswith(BUTTON_PREFIX) else "text",
        visitor_text=visitor_text,
        intent=intent_name,
        intent_confidence=(
            float(confidence) if isinstance(confidence, int | float) else None
        ),
        entities=entities,
        replies=[],
        actions=[],
        situation=(
            dict(previous.situation)
            if previous and not log.reset_before_next_turn
            else {}
        ),
        routes=[],
        fallback=intent_name in FALLBACK_INTENTS,
        complete=False,
    )
    log.reset_before_next_turn = False
    session.add(turn)
    return turn


def record_slot(turn: LogTurn, event: dict[str, Any], redactors: RedactorCache) -> None:
    """Update the turn's situation snapshot with an assessment slot."""
    name = event.get("name")
    if name not in SITUATION_SLOTS:
        return
    redactor = redactors.get(turn.conversation_id)
    situation = dict(turn.situation)
    situation[str(name)] = clean_slot_value(str(name), event.get("value"), redactor)
    turn.situation = situation


def record_reply(
    turn: LogTurn, event: dict[str, Any], redactors: RedactorCache
) -> None:
    """Add the assistant's message to the turn: its response name, text, buttons.

    Values that Rasa filled into the response's `{slot}` placeholders are
    redacted (`directory.logs.replies`). Custom payloads, such as the
    gateway's delete instruction, are not kept.
    """
    data = event.get("data") or {}
    metadata = event.get("metadata") or {}
    text = event.get("text")
    buttons = [
        str(button.get("title"))
        for button in data.get("buttons") or []
        if isinstance(button, dict)
    ]
    if not isinstance(text, str) and not buttons:
        return

    response = metadata.get("utter_action")
    if isinstance(text, str):
        text = redact_reply(
            response if isinstance(response, str) else None,
            text,
            lambda: redactors.get(turn.conversation_id),
        )
    turn.replies = [
        *turn.replies,
        {
            "response": response if isinstance(response, str) else None,
            "text": text if isinstance(text, str) else "",
            "buttons": buttons,
        },
    ]


def record_action(session: Session, turn: LogTurn, event: dict[str, Any]) -> None:
    """Add an action to the turn; `action_listen` closes it with the assessment."""
    name = event.get("name")
    if not isinstance(name, str):
        return

    if name == LISTEN_ACTION:
        try:
            turn.reading, turn.routes = assess(session, turn.situation, turn.replies)
        except ContentError as exc:
            logger.error(
                "Logged turn %s of conversation %s without its reading: %s",
                turn.turn_number,
                turn.conversation_id,
                exc,
            )
        turn.complete = True
        return

    turn.actions = [*turn.actions, name]
    if name in FALLBACK_ACTIONS:
        turn.fallback = True


def event_time(event: dict[str, Any]) -> datetime:
    """Return the event's timestamp as an aware UTC datetime, or now."""
    timestamp = event.get("timestamp")
    if isinstance(timestamp, int | float):
        try:
            return datetime.fromtimestamp(timestamp, UTC)
        except (OverflowError, OSError, ValueError):
            pass
    return utc_now()
