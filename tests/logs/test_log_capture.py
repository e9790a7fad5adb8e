"""Turning Rasa events into redacted log turns (directory.logs.capture)."""

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.db.models import Service
from directory.logs.capture import ingest_events
from directory.logs.models import ConversationLog, LogTurn
from directory.logs.redactors import RedactorCache
from directory.logs.replies import response_patterns
from directory.logs.store import erase_conversation, open_log
from directory.signposting.engine import signpost
from directory.signposting.recent import recent_results
from directory.signposting.schemas import RouteEntry, Situation
from tests.logs.events import action_event, bot_event, slot_event, user_event

CONVERSATION = "5b0c5f0e-8a57-4d8a-9b59-0c3a9f1e2d41"
# Invented person and details.
NAME = "Tomasz Wierzbicki"
PHONE = "07700 900461"
POSTCODE = "LE11 3TU"
EMAIL = "tomasz.wierzbicki@example.org"


def first_turn_events(conversation_id: str) -> list[dict[str, Any]]:
    """A described incident, the form's slots, and a reply asking for the area."""
    return [
        action_event(conversation_id, "action_session_start"),
        {"sender_id": conversation_id, "event": "session_started"},
        action_event(conversation_id, "action_listen"),
        user_event(
            conversation_id,
            f"{NAME} sprayed abuse about Muslims on my door at {POSTCODE}, "
            f"call me on {PHONE} or {EMAIL}",
            entities=[
                {"entity": "characteristic", "value": "religion"},
                {"entity": "faith", "value": "muslim"},
                {"entity": "incident_type", "value": "criminal_damage"},
                {"entity": "postcode_district", "value": "LE11"},
            ],
        ),
        slot_event(conversation_id, "characteristics", ["religion"]),
        slot_event(conversation_id, "faiths", ["muslim"]),
        slot_event(conversation_id, "incident_types", ["criminal_damage"]),
        slot_event(conversation_id, "danger_now", "no"),
        action_event(conversation_id, "situation_form"),
        bot_event(
            conversation_id,
            "Which town, village or part of Leicester was it?",
            response="utter_ask_area",
        ),
        action_event(conversation_id, "action_listen"),
    ]


def routes_turn_events(
    conversation_id: str, routes: list[RouteEntry]
) -> list[dict[str, Any]]:
    """The area signposted in Loughborough, and one reply naming each of `routes`."""
    return [
        user_event(conversation_id, "Loughborough", intent="inform"),
        slot_event(conversation_id, "area", "charnwood"),
        action_event(conversation_id, "action_explain_and_signpost"),
        *[
            bot_event(conversation_id, f"{route.name}: {route.reason}")
            for route in routes
        ],
        action_event(conversation_id, "action_listen"),
    ]


def stored_turns(session: Session, conversation_id: str) -> list[LogTurn]:
    return list(
        session.scalars(
            select(LogTurn)
            .where(LogTurn.conversation_id == conversation_id)
            .order_by(LogTurn.turn_number)
        )
    )


def test_turn_text_is_redacted(session: Session, redactors: RedactorCache) -> None:
    open_log(session, CONVERSATION, None)

    ingest_events(session, first_turn_events(CONVERSATION), redactors)

    [turn] = stored_turns(session, CONVERSATION)
    for detail in (NAME, "Wierzbicki", PHONE, POSTCODE, EMAIL):
        assert detail not in turn.visitor_text
    assert "Muslims" in turn.visitor_text
    assert "[" in turn.visitor_text


def test_turn_keeps_labels_and_intent(
    session: Session, redactors: RedactorCache
) -> None:
    open_log(session, CONVERSATION, None)

    ingest_events(session, first_turn_events(CONVERSATION), redactors)

    [turn] = stored_turns(session, CONVERSATION)
    assert turn.intent == "describe_incident"
    assert turn.intent_confidence == 0.91
    assert turn.input_kind == "text"
    assert {"entity": "characteristic", "value": "religion"} in turn.entities
    assert {"entity": "incident_type", "value": "criminal_damage"} in turn.entities
    assert turn.situation["characteristics"] == ["religion"]
    assert turn.situation["danger_now"] == "no"
    assert turn.actions == ["situation_form"]
    assert turn.replies[0]["response"] == "utter_ask_area"
    assert turn.complete
    assert not turn.fallback


def test_slots_carry_to_next_turn(session: Session, redactors: RedactorCache) -> None:
    open_log(session, CONVERSATION, None)
    ingest_events(session, first_turn_events(CONVERSATION), redactors)

    ingest_events(
        session,
        [
            user_event(
                CONVERSATION,
                "Loughborough",
                intent="inform",
                entities=[{"entity": "area", "value": "charnwood"}],
            ),
            slot_event(CONVERSATION, "area", "charnwood"),
            action_event(CONVERSATION, "action_listen"),
        ],
        redactors,
    )

    first, second = stored_turns(session, CONVERSATION)
    assert second.turn_number == 2
    assert second.situation["characteristics"] == ["religion"]
    assert second.situation["area"] == "charnwood"
    assert "area" not in first.situation
    assert {"entity": "area", "value": "charnwood"} in second.entities


def test_same_person_same_placeholder(
    session: Session, redactors: RedactorCache
) -> None:
    open_log(session, CONVERSATION, None)

    ingest_events(
        session,
        [
            user_event(CONVERSATION, f"{NAME} shouted at me"),
            action_event(CONVERSATION, "action_listen"),
            user_event(CONVERSATION, f"{NAME} lives next door"),
            action_event(CONVERSATION, "action_listen"),
        ],
        redactors,
    )

    first, second = stored_turns(session, CONVERSATION)
    placeholder = first.visitor_text.split(" shouted")[0]
    assert placeholder.startswith("[")
    assert second.visitor_text.startswith(placeholder)


def test_text_numbered_before_entities(
    session: Session, redactors: RedactorCache
) -> None:
    open_log(session, CONVERSATION, None)

    ingest_events(
        session,
        [
            user_event(
                CONVERSATION,
                f"{NAME} shouted at me near {POSTCODE}",
                entities=[
                    {"entity": "person", "value": "Tomasz W"},
                    {"entity": "postcode_district", "value": "LE11"},
                ],
            ),
            action_event(CONVERSATION, "action_listen"),
        ],
        redactors,
    )

    [turn] = stored_turns(session, CONVERSATION)
    assert turn.visitor_text == "[PERSON_1] shouted at me near [POSTCODE_1]"
    assert turn.entities == [
        {"entity": "person", "value": "[PERSON_2]"},
        {"entity": "postcode_district", "value": "[POSTCODE_2]"},
    ]


def test_offered_routes_and_reading(session: Session, redactors: RedactorCache) -> None:
    situation = Situation(
        characteristics=["religion"],
        faiths=["muslim"],
        incident_types=["criminal_damage"],
        area="charnwood",
    )
    result = signpost(session, situation)
    offered = result.routes[:2]
    open_log(session, CONVERSATION, None)
    events = first_turn_events(CONVERSATION) + routes_turn_events(CONVERSATION, offered)

    ingest_events(session, events, redactors)

    first, second = stored_turns(session, CONVERSATION)
    assert len(result.routes) > 2
    assert second.routes == [
        {"service_id": route.service_id, "route": route.route} for route in offered
    ]
    assert second.reading == result.likely
    assert second.reading is not None
    assert first.routes == []
    # The first turn offers no route, so it skips the directory query, but
    # its reading is still recorded.
    assert first.reading == result.likely


def test_offered_routes_from_recent_result(
    session: Session, redactors: RedactorCache
) -> None:
    situation = Situation(
        characteristics=["religion"],
        faiths=["muslim"],
        incident_types=["criminal_damage"],
        area="charnwood",
        urgent=False,
    )
    signposted = signpost(session, situation)
    recent_results.put(situation, signposted)
    # The directory changes after the visitor got the routes, and the log
    # still records the routes that the visitor got.
    tell_mama = session.get_one(Service, "tell-mama")
    tell_mama.published = False
    session.commit()
    open_log(session, CONVERSATION, None)
    events = first_turn_events(CONVERSATION) + routes_turn_events(
        CONVERSATION, signposted.routes
    )

    try:
        ingest_events(session, events, redactors)
    finally:
        recent_results.clear()

    second = stored_turns(session, CONVERSATION)[1]
    assert {"service_id": "tell-mama", "route": "third_party_report"} in second.routes
    assert len(second.routes) == len(signposted.routes)


def test_nlu_fallback_is_marked(session: Session, redactors: RedactorCache) -> None:
    open_log(session, CONVERSATION, None)

    ingest_events(
        session,
        [
            user_event(CONVERSATION, "blue sky thinking", "nlu_fallback", 0.3),
            action_event(CONVERSATION, "action_misunderstood"),
            action_event(CONVERSATION, "action_listen"),
            user_event(CONVERSATION, "hello", "greet", 0.98),
            action_event(CONVERSATION, "utter_greet"),
            action_event(CONVERSATION, "action_listen"),
        ],
        redactors,
    )

    fallback, greeting = stored_turns(session, CONVERSATION)
    assert fallback.fallback
    assert not greeting.fallback


def test_core_fallback_action_is_marked(
    session: Session, redactors: RedactorCache
) -> None:
    open_log(session, CONVERSATION, None)

    ingest_events(
        session,
        [
            user_event(CONVERSATION, "something", "inform", 0.8),
            action_event(CONVERSATION, "action_misunderstood"),
            action_event(CONVERSATION, "action_listen"),
        ],
        redactors,
    )

    [turn] = stored_turns(session, CONVERSATION)
    assert turn.fallback


def test_button_press_is_marked(session: Session, redactors: RedactorCache) -> None:
    open_log(session, CONVERSATION, None)

    ingest_events(
        session,
        [
            user_event(CONVERSATION, "/ask_definition", "ask_definition", 1.0),
            bot_event(
                CONVERSATION,
                "Is there anything else?",
                response="utter_anything_else",
                buttons=[{"title": "Start again", "payload": "/start_again"}],
            ),
            action_event(CONVERSATION, "action_listen"),
        ],
        redactors,
    )

    [turn] = stored_turns(session, CONVERSATION)
    assert turn.input_kind == "button"
    assert turn.replies[0]["buttons"] == ["Start again"]


def test_custom_payload_not_kept(session: Session, redactors: RedactorCache) -> None:
    open_log(session, CONVERSATION, None)

    ingest_events(
        session,
        [
            user_event(CONVERSATION, "delete what I said", "delete_conversation"),
            bot_event(CONVERSATION, None, custom={"delete_conversation": True}),
            action_event(CONVERSATION, "action_listen"),
        ],
        redactors,
    )

    [turn] = stored_turns(session, CONVERSATION)
    assert turn.replies == []


def test_unknown_conversation_dropped(
    session: Session, redactors: RedactorCache
) -> None:
    counts = ingest_events(session, first_turn_events(CONVERSATION), redactors)

    assert counts.stored == 0
    assert counts.dropped == len(first_turn_events(CONVERSATION))
    assert session.scalar(select(func.count()).select_from(LogTurn)) == 0
    assert CONVERSATION not in redactors


def test_events_after_erasure_dropped(
    session: Session, redactors: RedactorCache
) -> None:
    open_log(session, CONVERSATION, None)
    ingest_events(session, first_turn_events(CONVERSATION)[:5], redactors)

    erase_conversation(session, CONVERSATION)
    counts = ingest_events(session, first_turn_events(CONVERSATION)[5:], redactors)

    assert counts.stored == 0
    assert session.get(ConversationLog, CONVERSATION) is None
    assert session.scalar(select(func.count()).select_from(LogTurn)) == 0


def test_free_text_slot_is_redacted(session: Session, redactors: RedactorCache) -> None:
    open_log(session, CONVERSATION, None)

    ingest_events(
        session,
        [
            user_event(CONVERSATION, "it was near my home"),
            slot_event(CONVERSATION, "area", f"{NAME}, {POSTCODE}"),
            slot_event(CONVERSATION, "postcode_district", POSTCODE),
            action_event(CONVERSATION, "action_listen"),
        ],
        redactors,
    )

    [turn] = stored_turns(session, CONVERSATION)
    assert NAME not in str(turn.situation)
    assert POSTCODE not in str(turn.situation)


def test_event_without_sender_dropped(
    session: Session, redactors: RedactorCache
) -> None:
    counts = ingest_events(session, [{"event": "user", "text": NAME}], redactors)

    assert counts.dropped == 1


def test_new_session_empties_situation(
    session: Session, redactors: RedactorCache
) -> None:
    open_log(session, CONVERSATION, None)
    ingest_events(session, first_turn_events(CONVERSATION), redactors)

    ingest_events(
        session,
        [
            action_event(CONVERSATION, "action_session_start"),
            {"sender_id": CONVERSATION, "event": "session_started"},
            action_event(CONVERSATION, "action_listen"),
            user_event(CONVERSATION, "hello again", "greet"),
            action_event(CONVERSATION, "action_listen"),
        ],
        redactors,
    )

    first, second = stored_turns(session, CONVERSATION)
    assert first.situation["characteristics"] == ["religion"]
    assert second.situation == {}


def test_restart_in_turn_empties_situation(
    session: Session, redactors: RedactorCache
) -> None:
    open_log(session, CONVERSATION, None)
    ingest_events(session, first_turn_events(CONVERSATION), redactors)

    ingest_events(
        session,
        [
            user_event(CONVERSATION, "/start_again", "start_again"),
            action_event(CONVERSATION, "action_restart"),
            {"sender_id": CONVERSATION, "event": "restart"},
            action_event(CONVERSATION, "action_listen"),
            user_event(CONVERSATION, "hello", "greet"),
            action_event(CONVERSATION, "action_listen"),
        ],
        redactors,
    )

    first, restart, greeting = stored_turns(session, CONVERSATION)
    assert first.situation["characteristics"] == ["religion"]
    assert restart.situation == {}
    assert greeting.situation == {}


def test_redelivered_message_skipped(
    session: Session, redactors: RedactorCache
) -> None:
    open_log(session, CONVERSATION, None)
    events = [
        user_event(CONVERSATION, "someone shouted at me"),
        bot_event(CONVERSATION, "I'm sorry."),
        action_event(CONVERSATION, "action_listen"),
    ]
    ingest_events(session, events, redactors)

    counts = ingest_events(session, events, redactors)

    [turn] = stored_turns(session, CONVERSATION)
    assert counts.dropped == 1
    assert len(turn.replies) == 1


def test_echoed_postcode_redacted_in_reply(
    session: Session, redactors: RedactorCache
) -> None:
    open_log(session, CONVERSATION, None)
    route = "Tell MAMA: report anti-Muslim hate online or by phone."
    note = "Victim First can support you whether or not you report it."

    ingest_events(
        session,
        [
            user_event(
                CONVERSATION,
                "someone spat at me in le2 because im muslim",
                entities=[{"entity": "postcode_district", "value": "LE2"}],
            ),
            slot_event(CONVERSATION, "postcode_district", "LE2"),
            bot_event(CONVERSATION, route),
            bot_event(CONVERSATION, note),
            bot_event(
                CONVERSATION,
                "LE2 covers more than one council area. Which town, village or "
                "part of Leicester was it?",
                response="utter_ask_area_for_postcode",
            ),
            action_event(CONVERSATION, "action_listen"),
        ],
        redactors,
    )

    [turn] = stored_turns(session, CONVERSATION)
    assert "[POSTCODE_1]" in turn.visitor_text
    assert turn.situation["postcode_district"] == "[POSTCODE_1]"
    assert [reply["text"] for reply in turn.replies] == [
        route,
        note,
        "[POSTCODE_1] covers more than one council area. Which town, village "
        "or part of Leicester was it?",
    ]
    assert "LE2" not in str(turn.replies)


def test_reply_unlike_its_response_redacted(
    session: Session, redactors: RedactorCache
) -> None:
    open_log(session, CONVERSATION, None)

    ingest_events(
        session,
        [
            user_event(CONVERSATION, "it was in le2"),
            bot_event(
                CONVERSATION,
                "Which part of LE2 was it?",
                response="utter_ask_area_for_postcode",
            ),
            action_event(CONVERSATION, "action_listen"),
        ],
        redactors,
    )

    [turn] = stored_turns(session, CONVERSATION)
    assert turn.replies[0]["text"] == "Which part of [POSTCODE_1] was it?"


def test_erasure_reference_not_kept_in_reply(
    session: Session, redactors: RedactorCache
) -> None:
    reference = open_log(session, CONVERSATION, None).reference
    text = (
        "If you want this conversation erased later, you can quote this "
        f"reference when you contact Speak Out Space: {reference}. Keep it "
        "somewhere private, because it is the only link between you and this "
        'conversation. If you\'d rather delete it now, say "delete what I said".'
    )

    ingest_events(
        session,
        [
            user_event(
                CONVERSATION, "can i have a ref number", "ask_erasure_reference"
            ),
            bot_event(CONVERSATION, text, response="utter_erasure_reference"),
            action_event(CONVERSATION, "action_listen"),
        ],
        redactors,
    )

    [turn] = stored_turns(session, CONVERSATION)
    assert turn.replies[0]["text"] == text.replace(reference, "[REFERENCE]")


def test_missing_domain_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="domain"):
        response_patterns(tmp_path)
