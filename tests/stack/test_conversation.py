"""Conversations through the gateway against the real trained model, action
server and directory database. All people and events are invented."""

from __future__ import annotations

import httpx
import pytest

from stack.launcher import Stack
from tests.stack.conftest import Conversation, joined

EMERGENCY = "999"
SAMARITANS = "116 123"
CHILDLINE = "0800 1111"
STOP_HATE_UK = "0800 138 1625"


def test_danger_gets_999_first(conversation: Conversation) -> None:
    messages = conversation.say(
        "theres a man outside my house right now saying hes going to kill me "
        "because im gay"
    )

    assert EMERGENCY in messages[0]["text"]
    assert "emergencySMS" in messages[0]["text"]


def test_yes_to_danger_gets_999_first(
    conversation: Conversation,
) -> None:
    first = conversation.say("someone spat at me on the bus because im jewish")

    assert "danger" in joined(first).lower()

    messages = conversation.press("Yes, someone is in danger now")

    assert EMERGENCY in messages[0]["text"]
    assert "emergencySMS" in messages[0]["text"]
    assert joined(messages).count("emergencySMS") == 1
    assert "where did it happen" in joined(messages[1:]).lower()


@pytest.mark.parametrize(
    "text", ["not sure", "maybe", "dunno", "i dont know", "i might be", "could be"]
)
def test_unsure_about_danger_moves_on(conversation: Conversation, text: str) -> None:
    conversation.say("someone spat at me on the bus because im jewish")

    messages = conversation.say(text)
    reply = joined(messages)

    assert "not sure" in messages[0]["text"]
    assert "emergencySMS" in messages[0]["text"]
    assert SAMARITANS not in reply
    assert "understand" not in reply
    assert "where did it happen" in reply.lower()
    assert "in danger right now" not in reply


def test_unsure_about_danger_with_place_takes_both(conversation: Conversation) -> None:
    conversation.say("someone spat at me on the bus because im jewish")

    messages = conversation.say("not sure, it was in coalville")
    reply = joined(messages)

    assert "not sure" in messages[0]["text"]
    assert "emergencySMS" in messages[0]["text"]
    assert "where did it happen" not in reply.lower()
    assert "in danger right now" not in reply


@pytest.mark.parametrize("text", ["i think so", "yeah i think so"])
def test_hedged_yes_gets_no_crisis_reply(conversation: Conversation, text: str) -> None:
    conversation.say("someone spat at me on the bus because im jewish")

    messages = conversation.say(text)

    assert "emergencySMS" in messages[0]["text"]
    assert SAMARITANS not in joined(messages)


def test_self_harm_gets_samaritans(conversation: Conversation) -> None:
    messages = conversation.say("i feel like hurting myself")

    assert SAMARITANS in messages[0]["text"]


def test_child_in_crisis_gets_childline(conversation: Conversation) -> None:
    messages = conversation.say(
        "im 14 and the kids at school call me a p*ki every day, i want to end it all"
    )
    text = joined(messages)

    assert SAMARITANS in text
    assert CHILDLINE in text


def test_full_story_asks_only_about_danger(conversation: Conversation) -> None:
    first = conversation.say(
        "someone sprayed anti muslim graffiti on my front door in loughborough "
        "last night"
    )

    assert "danger" in joined(first).lower()
    assert "where did it happen" not in joined(first).lower()

    routes = joined(conversation.press("No"))

    assert "Tell MAMA" in routes
    assert "Charnwood" in routes
    assert "Hate Incident Monitoring Project" in routes
    assert "CST" not in routes


def test_missing_details_are_asked_for(conversation: Conversation) -> None:
    conversation.say("something happened to me and i dont know what to do")
    conversation.say("no")
    asked_characteristic = joined(conversation.say("they punched me in the face"))

    assert "who you are" in asked_characteristic
    asked_area = joined(conversation.say("because im black"))

    assert "Where did it happen" in asked_area
    routes = joined(conversation.say("it was in hinckley"))

    assert "Hinckley and Bosworth" in routes


def test_decline_to_say_moves_on(conversation: Conversation) -> None:
    conversation.say("a group of lads kicked me and called me a tranny")
    conversation.press("No")
    reply = joined(conversation.press("I'd rather not say"))

    assert "Stop Hate UK" in reply
    assert "Galop" in reply


def test_question_inside_form_returns(conversation: Conversation) -> None:
    conversation.say("my neighbour keeps shouting racist abuse at my kids")
    conversation.press("No")
    reply = joined(conversation.say("can i stay anonymous?"))

    assert "without giving your name" in reply
    assert "Where did it happen" in reply


def test_correction_replaces_area(conversation: Conversation) -> None:
    conversation.say("a man spat at me and called me a dirty jew in oadby")
    first_routes = joined(conversation.press("No"))

    assert "Oadby and Wigston" in first_routes
    corrected = joined(conversation.say("sorry no, it was in coalville"))

    assert "North West Leicestershire" in corrected


def test_start_again_clears_situation(conversation: Conversation) -> None:
    conversation.say("someone smashed my car window because im polish, in melton")
    conversation.press("No")
    restarted = joined(conversation.press("Start again"))

    assert "start again" in restarted.lower()
    asked = joined(conversation.say("they hit me"))

    assert "who you are" in asked or "danger" in asked.lower()


@pytest.mark.parametrize(
    "text", ["i want to start again", "can we start over", "start again please"]
)
def test_typed_start_again_gets_no_crisis_reply(
    conversation: Conversation, text: str
) -> None:
    conversation.say("someone smashed my car window because im polish, in melton")
    restarted = joined(conversation.say(text))

    assert "start again" in restarted.lower()
    assert SAMARITANS not in restarted
    assert EMERGENCY not in restarted


def test_not_hate_gets_general_routes(conversation: Conversation) -> None:
    conversation.say(
        "my bike got nicked from outside my flat in leicester, nothing to do with "
        "who i am"
    )
    reply = joined(conversation.press("No"))

    assert "101" in reply
    assert "Victim First" in reply
    assert "Tell MAMA" not in reply


def test_outside_llr_gets_national_routes(conversation: Conversation) -> None:
    conversation.say(
        "last month i was punched in nottingham by a man shouting racist abuse"
    )
    reply = joined(conversation.press("No"))

    assert "True Vision" in reply
    assert "Victim First" not in reply
    assert "Leicestershire" in reply


def test_hostile_message_not_repeated(conversation: Conversation) -> None:
    hostile = "this is woke rubbish, snowflakes crying about words"
    messages = conversation.say(hostile)

    assert len(messages) == 1
    assert "snowflakes" not in messages[0]["text"]


def test_third_misunderstanding_gives_person(conversation: Conversation) -> None:
    for _ in range(2):
        reply = joined(conversation.say("qwzx plorp vintage marmalade"))
        assert STOP_HATE_UK not in reply

    reply = joined(conversation.say("qwzx plorp vintage marmalade"))

    assert STOP_HATE_UK in reply


def test_delete_request_clears_everywhere(
    conversation: Conversation, stack: Stack
) -> None:
    conversation.say("a man on the bus called me a p*ki in loughborough")
    response = conversation.client.post(
        f"/api/chat/conversations/{conversation.id}/messages",
        json={"text": "please delete everything i told you"},
    )
    body = response.json()
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{conversation.id}/tracker",
        params={"token": stack.rasa_token},
        timeout=10,
    ).json()
    after = conversation.client.post(
        f"/api/chat/conversations/{conversation.id}/messages", json={"text": "hi"}
    )

    assert body["conversation_deleted"] is True
    assert "cleared" in joined(body["messages"])
    assert [e for e in tracker["events"] if e["event"] == "user"] == []
    assert after.status_code == 404


def test_self_harm_in_question_gets_samaritans(
    conversation: Conversation,
) -> None:
    messages = conversation.say(
        "i need to talk to someone now, im going to hurt myself"
    )

    assert SAMARITANS in joined(messages[:2])


@pytest.mark.parametrize("text", ["i might report it", "maybe later", "maybe"])
def test_hedged_reply_gets_no_crisis_reply(
    conversation: Conversation, text: str
) -> None:
    conversation.say("someone sprayed a swastika on our door in oadby")
    routes = joined(conversation.press("No"))
    reply = joined(conversation.say(text))

    assert "Stop Hate UK" in routes
    assert SAMARITANS not in reply
    assert "emergencySMS" not in reply


def test_hedged_self_harm_gets_samaritans(conversation: Conversation) -> None:
    messages = conversation.say("honestly i think i might do something stupid later")

    assert SAMARITANS in messages[0]["text"]


def test_declined_characteristic_keeps_hate_routes(
    conversation: Conversation,
) -> None:
    conversation.say("a lad punched me outside the chippy")
    conversation.press("No")
    asked_area = joined(conversation.press("I'd rather not say"))

    assert "Where did it happen" in asked_area
    reply = joined(conversation.say("it was in loughborough"))

    assert "Stop Hate UK" in reply
    assert "True Vision" in reply


def test_unclear_answer_asks_question_again(conversation: Conversation) -> None:
    conversation.say("someone called me a racist name in leicester")
    first_question = joined(conversation.say("the weather was horrible"))
    second_question = joined(conversation.say("it was all very strange"))
    reply = joined(conversation.press("No"))

    assert first_question.count("in danger") == 1
    assert second_question.count("in danger") == 1
    assert "Stop Hate UK" in reply


def test_incident_type_button_fills_answer(conversation: Conversation) -> None:
    conversation.say("something happened to me in loughborough because im gay")
    conversation.press("No")
    reply = joined(conversation.press("Called names or shouted at"))

    assert "Stop Hate UK" in reply
