"""Action tests on trackers recorded from the running assistant.

The trackers in trackers/ were fetched from Rasa's tracker API after real
conversations through the gateway; a test changes only the field it is about.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any, Dict, List

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.form import ActionAskArea
from actions.safety import ActionMisunderstood
from actions.signposting import (
    ActionDeleteConversation,
    ActionExplainAndSignpost,
    ActionHandleShortReply,
)
from actions.situation import (
    ActionValidateSlotMappings,
    situation_events,
    situation_from_slots,
)
from tests.actions.conftest import DirectoryStandIn, load_tracker


def run(action: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> List:
    return asyncio.run(action.run(dispatcher, tracker, {}))


def responses(dispatcher: CollectingDispatcher) -> List[str]:
    return [message.get("response") for message in dispatcher.messages]


def with_latest_message(
    tracker: Tracker,
    intent: str,
    entities: List[Dict[str, Any]],
    text: str = "recorded text replaced by the test",
) -> Tracker:
    changed = copy.deepcopy(tracker)
    changed.latest_message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": entities,
    }
    return changed


def entity(name: str, value: str) -> Dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": 1}


def test_extract_unchanged_labels_sets_nothing() -> None:
    tracker = load_tracker("graffiti_before_danger_answer")

    events = situation_events(tracker)

    assert events == []


def test_extract_merges_new_characteristic() -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_routes_given"),
        "inform",
        [entity("characteristic", "race")],
    )

    events = situation_events(tracker)

    assert SlotSet("characteristics", ["religion", "race"]) in events


def test_extract_correction_replaces_area() -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_routes_given"),
        "deny",
        [entity("area", "north_west_leicestershire")],
    )

    events = situation_events(tracker)

    assert SlotSet("area", "north_west_leicestershire") in events


def test_extract_no_answers_danger_question() -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_before_danger_answer"), "deny", []
    )

    events = situation_events(tracker)

    assert events == [SlotSet("danger_now", "no")]


@pytest.mark.parametrize(
    "text", ["no, they left ages ago", "Nah im home now", "nope. it was last week"]
)
def test_extract_no_with_details_answers_danger(text: str) -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_before_danger_answer"), "inform", [], text
    )

    events = situation_events(tracker)

    assert events == [SlotSet("danger_now", "no")]


@pytest.mark.parametrize(
    "text", ["no idea who they were", "no one helped me", "nothing happened to me"]
)
def test_extract_no_as_other_words_leaves_danger(text: str) -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_before_danger_answer"), "inform", [], text
    )

    assert situation_events(tracker) == []


def test_extract_no_with_urgency_keeps_danger() -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_before_danger_answer"),
        "inform",
        [entity("urgency", "danger_now")],
        "no hes still outside with a knife",
    )

    events = situation_events(tracker)

    assert SlotSet("danger_now", "yes") in events


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("nlu_fallback", "not sure"),
        ("nlu_fallback", "maybe"),
        ("inform", "dunno"),
        ("inform", "Im not really sure tbh"),
        ("nlu_fallback", "i dont know, they might still be around"),
        ("nlu_fallback", "might be"),
        ("inform", "idk"),
        ("nlu_fallback", "no idea"),
    ],
)
def test_extract_unsure_answers_danger_question(intent: str, text: str) -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_before_danger_answer"), intent, [], text
    )

    events = situation_events(tracker)

    assert events == [SlotSet("danger_now", "unsure")]


@pytest.mark.parametrize(
    "text", ["nothing happened to me", "they drove off", "mainly at night"]
)
def test_extract_other_words_are_not_unsure(text: str) -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_before_danger_answer"), "inform", [], text
    )

    assert situation_events(tracker) == []


def test_extract_unsure_with_details_skips_danger() -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_before_danger_answer"),
        "inform",
        [entity("incident_type", "threats")],
        "not sure if this counts but he said hed come back",
    )

    events = situation_events(tracker)

    assert SlotSet("danger_now", "not_answered") in events


@pytest.mark.parametrize(
    ("text", "found", "slot_set"),
    [
        (
            "not sure, it was in coalville",
            entity("area", "north_west_leicestershire"),
            SlotSet("area", "north_west_leicestershire"),
        ),
        (
            "no idea. they called me a paki",
            entity("characteristic", "race"),
            SlotSet("characteristics", ["religion", "race"]),
        ),
        (
            "dunno tbh - he said hed come back",
            entity("incident_type", "threats"),
            SlotSet("incident_types", ["criminal_damage", "hate_material", "threats"]),
        ),
    ],
)
def test_extract_unsure_clause_with_details(
    text: str, found: Dict[str, Any], slot_set: SlotSet
) -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_before_danger_answer"), "inform", [found], text
    )

    events = situation_events(tracker)

    assert SlotSet("danger_now", "unsure") in events
    assert slot_set in events


def test_extract_decline_fills_requested_slot() -> None:
    tracker = with_latest_message(
        load_tracker("postcode_district_only"), "decline_to_say", []
    )

    events = situation_events(tracker)

    assert events == [SlotSet("area", "not_said")]


def test_extract_other_details_skip_danger() -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_before_danger_answer"),
        "inform",
        [entity("incident_type", "threats")],
    )

    events = situation_events(tracker)

    assert SlotSet("danger_now", "not_answered") in events


def test_safety_danger_message_gets_999(dispatcher: CollectingDispatcher) -> None:
    tracker = load_tracker("danger_now_first_message")

    events = run(ActionValidateSlotMappings(), dispatcher, tracker)

    assert responses(dispatcher) == ["utter_danger_now"]
    assert events == [SlotSet("danger_warned", True)]


def test_safety_yes_to_danger_question_gets_999(
    dispatcher: CollectingDispatcher,
) -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_before_danger_answer"), "affirm", []
    )

    events = run(ActionValidateSlotMappings(), dispatcher, tracker)

    assert responses(dispatcher) == ["utter_danger_now"]
    assert events == [SlotSet("danger_now", "yes"), SlotSet("danger_warned", True)]


# Trained models have read a bare "not sure" as the fallback and as affirm
# with low confidence, so deny is covered as well.
@pytest.mark.parametrize("intent", ["nlu_fallback", "affirm", "deny"])
def test_safety_unsure_gets_999(dispatcher: CollectingDispatcher, intent: str) -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_before_danger_answer"), intent, [], "not sure"
    )

    events = run(ActionValidateSlotMappings(), dispatcher, tracker)

    assert responses(dispatcher) == ["utter_danger_unsure"]
    assert events == [
        SlotSet("danger_now", "unsure"),
        SlotSet("danger_warned", True),
    ]


@pytest.mark.parametrize(
    ("intent", "text", "reply", "danger_now"),
    [
        ("crisis", "i might be", "utter_danger_unsure", "unsure"),
        ("inform", "could be tbh", "utter_danger_unsure", "unsure"),
        ("nlu_fallback", "i think so", "utter_danger_now", "yes"),
        ("crisis", "yeah i reckon so", "utter_danger_now", "yes"),
    ],
)
def test_safety_bare_hedge_is_not_self_harm(
    dispatcher: CollectingDispatcher,
    intent: str,
    text: str,
    reply: str,
    danger_now: str,
) -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_before_danger_answer"),
        intent,
        [entity("urgency", "self_harm")],
        text,
    )

    events = run(ActionValidateSlotMappings(), dispatcher, tracker)

    assert responses(dispatcher) == [reply]
    assert events == [
        SlotSet("danger_now", danger_now),
        SlotSet("danger_warned", True),
    ]


def test_safety_hedged_self_harm_keeps_crisis(
    dispatcher: CollectingDispatcher,
) -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_before_danger_answer"),
        "crisis",
        [entity("urgency", "self_harm")],
        "maybe i wont be here tomorrow",
    )

    events = run(ActionValidateSlotMappings(), dispatcher, tracker)

    assert responses(dispatcher) == ["utter_crisis_support"]
    assert SlotSet("urgency", ["self_harm"]) in events
    assert SlotSet("crisis_given", True) in events


def test_unsure_about_danger_offers_emergency_route() -> None:
    tracker = load_tracker("graffiti_routes_given")
    tracker.slots["danger_now"] = "unsure"

    assert situation_from_slots(tracker)["urgent"] is True


def test_safety_no_to_danger_question_gets_no_999(
    dispatcher: CollectingDispatcher,
) -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_before_danger_answer"), "deny", []
    )

    events = run(ActionValidateSlotMappings(), dispatcher, tracker)

    assert responses(dispatcher) == []
    assert events == [SlotSet("danger_now", "no")]


def test_safety_repeats_999_every_flag(dispatcher: CollectingDispatcher) -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_routes_given"),
        "ask_human",
        [entity("urgency", "danger_now")],
    )

    events = run(ActionValidateSlotMappings(), dispatcher, tracker)

    assert responses(dispatcher) == ["utter_danger_now"]
    assert SlotSet("danger_warned", True) in events


def test_safety_child_crisis_gets_childline(
    dispatcher: CollectingDispatcher,
) -> None:
    tracker = load_tracker("crisis_child")

    run(ActionValidateSlotMappings(), dispatcher, tracker)

    assert responses(dispatcher) == [
        "utter_crisis_support",
        "utter_crisis_support_child",
    ]


def test_safety_crisis_intent_gets_samaritans(
    dispatcher: CollectingDispatcher,
) -> None:
    tracker = with_latest_message(load_tracker("graffiti_routes_given"), "crisis", [])

    events = run(ActionValidateSlotMappings(), dispatcher, tracker)

    assert responses(dispatcher) == ["utter_crisis_support"]
    assert SlotSet("crisis_given", True) in events


def test_safety_fills_slots_in_same_call(
    dispatcher: CollectingDispatcher,
) -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_before_danger_answer"),
        "inform",
        [entity("urgency", "danger_now")],
    )

    events = run(ActionValidateSlotMappings(), dispatcher, tracker)

    assert responses(dispatcher) == ["utter_danger_now"]
    assert SlotSet("danger_now", "yes") in events
    assert SlotSet("danger_warned", True) in events


def test_safety_uses_age_from_same_message(
    dispatcher: CollectingDispatcher,
) -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_routes_given"),
        "crisis",
        [entity("age_group", "under_18")],
    )

    events = run(ActionValidateSlotMappings(), dispatcher, tracker)

    assert SlotSet("age_group", "under_18") in events
    assert responses(dispatcher) == [
        "utter_crisis_support",
        "utter_crisis_support_child",
    ]


def test_safety_calm_message_sends_nothing(
    dispatcher: CollectingDispatcher,
) -> None:
    tracker = load_tracker("graffiti_routes_given")

    run(ActionValidateSlotMappings(), dispatcher, tracker)

    assert dispatcher.messages == []


def test_declined_characteristic_stays_open() -> None:
    tracker = load_tracker("graffiti_routes_given")
    tracker.slots["characteristics"] = ["not_said"]

    situation = situation_from_slots(tracker)

    assert situation["characteristics"] == ["other"]
    assert situation["hate_denied"] is False


def test_misunderstood_twice_asks_rephrase(dispatcher: CollectingDispatcher) -> None:
    tracker = load_tracker("misunderstood_twice")

    run(ActionMisunderstood(), dispatcher, tracker)

    assert responses(dispatcher) == ["utter_please_rephrase"]


def test_misunderstood_third_gives_person(dispatcher: CollectingDispatcher) -> None:
    tracker = load_tracker("misunderstood_twice")
    last_user_event = next(
        event for event in reversed(tracker.events) if event["event"] == "user"
    )
    tracker.events.append(copy.deepcopy(last_user_event))

    run(ActionMisunderstood(), dispatcher, tracker)

    assert responses(dispatcher) == ["utter_misunderstood_routes"]


def with_answer_read_as_fallback(tracker: Tracker) -> Tracker:
    """Add an answer that DIET could not read but that filled the danger question."""
    changed = copy.deepcopy(tracker)
    changed.events.append(
        {
            "event": "user",
            "text": "not sure",
            "parse_data": {"intent": {"name": "nlu_fallback"}},
        }
    )
    changed.events.append({"event": "action", "name": "action_extract_slots"})
    changed.events.append({"event": "slot", "name": "danger_now", "value": "unsure"})
    return changed


def test_fallback_that_answered_form_sends_nothing(
    dispatcher: CollectingDispatcher,
) -> None:
    tracker = with_answer_read_as_fallback(
        load_tracker("graffiti_before_danger_answer")
    )

    events = run(ActionMisunderstood(), dispatcher, tracker)

    assert responses(dispatcher) == []
    assert events == []


def test_answer_between_misses_restarts_count(
    dispatcher: CollectingDispatcher,
) -> None:
    tracker = with_answer_read_as_fallback(load_tracker("misunderstood_twice"))
    tracker.events.append({"event": "action", "name": "action_misunderstood"})
    tracker.events.append({"event": "action", "name": "action_listen"})
    tracker.events.append(
        {
            "event": "user",
            "text": "?",
            "parse_data": {"intent": {"name": "nlu_fallback"}},
        }
    )

    run(ActionMisunderstood(), dispatcher, tracker)

    assert responses(dispatcher) == ["utter_please_rephrase"]


def with_rejected_answer(tracker: Tracker, intent: str) -> Tracker:
    """Add a visitor answer that filled nothing, so the form rejected it."""
    changed = copy.deepcopy(tracker)
    changed.events.append(
        {
            "event": "user",
            "text": "an answer",
            "parse_data": {"intent": {"name": intent}},
        }
    )
    changed.events.append({"event": "action", "name": "action_extract_slots"})
    changed.events.append(
        {"event": "action_execution_rejected", "name": "situation_form"}
    )
    return changed


def test_rejected_answer_asks_again(dispatcher: CollectingDispatcher) -> None:
    tracker = with_rejected_answer(
        load_tracker("graffiti_before_danger_answer"), "describe_incident"
    )

    events = run(ActionMisunderstood(), dispatcher, tracker)

    assert responses(dispatcher) == ["utter_please_rephrase"]
    assert events == [FollowupAction("situation_form")]


def test_rule_fallback_leaves_form_to_rule(dispatcher: CollectingDispatcher) -> None:
    tracker = load_tracker("misunderstood_twice")
    tracker.events.append(
        {
            "event": "user",
            "text": "?",
            "parse_data": {"intent": {"name": "nlu_fallback"}},
        }
    )

    events = run(ActionMisunderstood(), dispatcher, tracker)

    assert events == []


def test_third_rejected_answer_gives_person(dispatcher: CollectingDispatcher) -> None:
    tracker = load_tracker("graffiti_before_danger_answer")
    for _ in range(2):
        tracker = with_rejected_answer(tracker, "describe_incident")
        tracker.events.append({"event": "action", "name": "action_misunderstood"})
        tracker.events.append({"event": "action", "name": "action_listen"})
    tracker = with_rejected_answer(tracker, "describe_incident")

    run(ActionMisunderstood(), dispatcher, tracker)

    assert responses(dispatcher)[0] == "utter_misunderstood_routes"


def test_signpost_posts_situation_from_slots(
    dispatcher: CollectingDispatcher, directory: DirectoryStandIn
) -> None:
    tracker = load_tracker("graffiti_routes_given")

    events = run(ActionExplainAndSignpost(), dispatcher, tracker)

    assert directory.requests == [situation_from_slots(tracker)]
    assert directory.requests[0]["characteristics"] == ["religion"]
    assert directory.requests[0]["area"] == "charnwood"
    assert events == [SlotSet("assessment_given", True)]


def test_signpost_sends_explanation_and_routes(
    dispatcher: CollectingDispatcher, directory: DirectoryStandIn
) -> None:
    tracker = load_tracker("graffiti_routes_given")

    run(ActionExplainAndSignpost(), dispatcher, tracker)

    texts = [message.get("text") or "" for message in dispatcher.messages]
    route_names = [route["name"] for route in directory.result["routes"]]
    assert texts[0] == "\n\n".join(directory.result["explanation"])
    for name in route_names:
        assert any(text.startswith(f"{name}:") for text in texts)
    assert responses(dispatcher)[-1] == "utter_next_steps"


def test_signpost_directory_down_gives_fallback(
    dispatcher: CollectingDispatcher, directory: DirectoryStandIn
) -> None:
    directory.status = 500
    tracker = load_tracker("graffiti_routes_given")

    events = run(ActionExplainAndSignpost(), dispatcher, tracker)

    assert responses(dispatcher) == ["utter_key_routes_fallback"]
    assert events == [SlotSet("assessment_given", True)]


def test_short_reply_with_correction_resignposts(
    dispatcher: CollectingDispatcher, directory: DirectoryStandIn
) -> None:
    tracker = with_latest_message(
        load_tracker("graffiti_routes_given"),
        "deny",
        [entity("area", "north_west_leicestershire")],
    )
    tracker.slots["assessment_given"] = True

    run(ActionHandleShortReply(), dispatcher, tracker)

    assert len(directory.requests) == 1
    assert responses(dispatcher)[-1] == "utter_next_steps"


def test_short_reply_plain_no_asks(dispatcher: CollectingDispatcher) -> None:
    tracker = with_latest_message(load_tracker("graffiti_routes_given"), "deny", [])

    run(ActionHandleShortReply(), dispatcher, tracker)

    assert responses(dispatcher) == ["utter_anything_else"]


def test_ask_area_names_postcode(dispatcher: CollectingDispatcher) -> None:
    tracker = load_tracker("postcode_district_only")

    run(ActionAskArea(), dispatcher, tracker)

    assert responses(dispatcher) == ["utter_ask_area_for_postcode"]
    assert dispatcher.messages[0]["postcode_district"] == "LE2"


def test_delete_sends_instruction_and_resets(
    dispatcher: CollectingDispatcher,
) -> None:
    tracker = load_tracker("graffiti_routes_given")

    events = run(ActionDeleteConversation(), dispatcher, tracker)

    assert responses(dispatcher)[0] == "utter_delete_done"
    assert dispatcher.messages[1]["custom"] == {"delete_conversation": True}
    assert events == [ActiveLoop(None), AllSlotsReset()]


def test_extract_crisis_intent_flags_self_harm() -> None:
    tracker = with_latest_message(load_tracker("graffiti_routes_given"), "crisis", [])

    events = situation_events(tracker)

    assert SlotSet("urgency", ["self_harm"]) in events
