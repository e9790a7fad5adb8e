"""Flagging turns, checking flags, and the NLU training data export."""

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory.logs.models import ConversationLog, LogTurn, utc_now
from directory.review.models import FLAGGED, REJECTED, REVIEWED, ReviewFlag
from directory.review.nlu_export import (
    BUTTON_PRESS_REASON,
    annotate,
    example_text,
    trainable_intents,
)
from directory.settings import REPO_ROOT
from directory.staff.models import ADMIN, REVIEWER

LIST = "/staff/reviews/conversations"
EXPORT = "/staff/reviews/flags/nlu.yml"
RASA = REPO_ROOT / ".venvs" / "rasa" / "bin" / "rasa"
RASA_PYTHON = REPO_ROOT / ".venvs" / "rasa" / "bin" / "python"

# Prints the examples that Rasa's own loader reads from a file, as JSON.
LOAD_WITH_RASA = """
import json, sys
from rasa.shared.nlu.training_data.loading import load_data
data = load_data(sys.argv[1])
print(json.dumps([
    {"text": m.get("text"), "intent": m.get("intent"),
     "entities": [[e["entity"], e["value"], e["start"], e["end"]]
                  for e in m.get("entities") or []]}
    for m in data.intent_examples
]))
"""


def flags(session_factory: sessionmaker[Session]) -> list[ReviewFlag]:
    """Return every flag, oldest first."""
    with session_factory() as db:
        return list(db.scalars(select(ReviewFlag).order_by(ReviewFlag.id)))


def flag_turn(
    client: TestClient,
    conversation_id: str,
    turn_id: int,
    fields: dict[str, str],
) -> int:
    """Post the flag form of a turn; return the status code."""
    response = client.post(
        f"{LIST}/{conversation_id}/turns/{turn_id}/flag",
        data=fields,
        follow_redirects=False,
    )
    return response.status_code


def decide(client: TestClient, token: str, flag_id: int, decision: str) -> int:
    """Post a check of a flag; return the status code."""
    response = client.post(
        f"/staff/reviews/flags/{flag_id}/decision",
        data={"csrf_token": token, "decision": decision},
        follow_redirects=False,
    )
    return response.status_code


def test_flag_needs_form_token(
    client: TestClient,
    signed_in: Callable[[str], str],
    known_logs: dict[str, str],
    turn_ids: Callable[[str], list[int]],
    session_factory: sessionmaker[Session],
) -> None:
    signed_in(REVIEWER)
    conversation_id = known_logs["META2222"]
    turn_id = turn_ids("META2222")[1]

    missing = flag_turn(
        client, conversation_id, turn_id, {"intent": "describe_incident"}
    )
    wrong = flag_turn(
        client,
        conversation_id,
        turn_id,
        {"intent": "describe_incident", "csrf_token": "not-the-session-token"},
    )

    assert missing == 403
    assert wrong == 403
    assert flags(session_factory) == []


def test_decision_needs_form_token(
    client: TestClient,
    signed_in: Callable[[str], str],
    known_logs: dict[str, str],
    turn_ids: Callable[[str], list[int]],
    session_factory: sessionmaker[Session],
) -> None:
    token = signed_in(REVIEWER)
    flag_turn(
        client,
        known_logs["META2222"],
        turn_ids("META2222")[1],
        {"intent": "describe_incident", "csrf_token": token},
    )
    client.cookies.clear()
    signed_in(ADMIN)
    flag_id = flags(session_factory)[0].id

    assert decide(client, "not-the-session-token", flag_id, "accept") == 403
    assert flags(session_factory)[0].status == FLAGGED


def test_flag_stores_intent_and_labels(
    client: TestClient,
    signed_in: Callable[[str], str],
    known_logs: dict[str, str],
    turn_ids: Callable[[str], list[int]],
    session_factory: sessionmaker[Session],
) -> None:
    token = signed_in(REVIEWER)
    turn_id = turn_ids("META2222")[1]

    status = flag_turn(
        client,
        known_logs["META2222"],
        turn_id,
        {
            "csrf_token": token,
            "intent": "describe_incident",
            "label_entity_0": "incident_type",
            "label_value_0": "Harassment",
            "label_text_0": "from the  flats again",
        },
    )

    assert status == 303
    [flag] = flags(session_factory)
    assert flag.turn_id == turn_id
    assert flag.conversation_id == known_logs["META2222"]
    assert flag.intent == "describe_incident"
    assert flag.labels == [
        {
            "entity": "incident_type",
            "value": "harassment",
            "text": "from the flats again",
        }
    ]
    assert flag.status == FLAGGED


def test_flag_rejects_unknown_intent(
    client: TestClient,
    signed_in: Callable[[str], str],
    known_logs: dict[str, str],
    turn_ids: Callable[[str], list[int]],
    session_factory: sessionmaker[Session],
) -> None:
    token = signed_in(REVIEWER)
    conversation_id = known_logs["META2222"]
    turn_id = turn_ids("META2222")[1]

    unknown = client.post(
        f"{LIST}/{conversation_id}/turns/{turn_id}/flag",
        data={"csrf_token": token, "intent": "order_pizza"},
    )
    fallback = flag_turn(
        client,
        conversation_id,
        turn_id,
        {"csrf_token": token, "intent": "nlu_fallback"},
    )
    bad_label = flag_turn(
        client,
        conversation_id,
        turn_id,
        {
            "csrf_token": token,
            "intent": "inform",
            "label_entity_1": "shoe_size",
            "label_value_1": "race!",
        },
    )

    assert unknown.status_code == 400
    assert "Choose the intent the message should have had." in unknown.text
    assert fallback == 400
    assert bad_label == 400
    assert flags(session_factory) == []


def test_flagger_cannot_check_own_flag(
    client: TestClient,
    signed_in: Callable[[str], str],
    known_logs: dict[str, str],
    turn_ids: Callable[[str], list[int]],
    session_factory: sessionmaker[Session],
) -> None:
    token = signed_in(REVIEWER)
    flag_turn(
        client,
        known_logs["META2222"],
        turn_ids("META2222")[1],
        {"intent": "describe_incident", "csrf_token": token},
    )
    flag_id = flags(session_factory)[0].id

    assert decide(client, token, flag_id, "accept") == 409
    assert flags(session_factory)[0].status == FLAGGED


def _flag_and_check(
    client: TestClient,
    signed_in: Callable[[str], str],
    known_logs: dict[str, str],
    turn_ids: Callable[[str], list[int]],
    session_factory: sessionmaker[Session],
) -> None:
    """Flag four turns as the reviewer; the admin accepts three and rejects one."""
    token = signed_in(REVIEWER)
    flag_turn(
        client,
        known_logs["META2222"],
        turn_ids("META2222")[1],
        {
            "csrf_token": token,
            "intent": "describe_incident",
            "label_entity_0": "incident_type",
            "label_value_0": "harassment",
            "label_text_0": "from the flats again",
        },
    )
    flag_turn(
        client,
        known_logs["SRCH3333"],
        turn_ids("SRCH3333")[1],
        {"csrf_token": token, "intent": "ask_human"},
    )
    flag_turn(
        client,
        known_logs["TKTK5555"],
        turn_ids("TKTK5555")[1],
        {"csrf_token": token, "intent": "greet"},
    )
    # Left unchecked: it must not reach the export.
    flag_turn(
        client,
        known_logs["DISP4444"],
        turn_ids("DISP4444")[0],
        {"csrf_token": token, "intent": "inform"},
    )

    client.cookies.clear()
    admin_token = signed_in(ADMIN)
    first, second, third, _ = flags(session_factory)
    assert decide(client, admin_token, first.id, "accept") == 303
    assert decide(client, admin_token, second.id, "accept") == 303
    assert decide(client, admin_token, third.id, "reject") == 303


def test_export_contains_reviewed_flags_only(
    client: TestClient,
    signed_in: Callable[[str], str],
    known_logs: dict[str, str],
    turn_ids: Callable[[str], list[int]],
    session_factory: sessionmaker[Session],
) -> None:
    _flag_and_check(client, signed_in, known_logs, turn_ids, session_factory)

    response = client.get(EXPORT)

    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert [flag.status for flag in flags(session_factory)] == [
        REVIEWED,
        REVIEWED,
        REJECTED,
        FLAGGED,
    ]
    document = yaml.safe_load(response.text)
    assert document["version"] == "3.1"
    assert document["nlu"] == [
        {
            "intent": "ask_human",
            "examples": "- what do you reckon then\n",
        },
        {
            "intent": "describe_incident",
            "examples": (
                "- it was Alex [from the flats again]"
                '{"entity": "incident_type", "value": "harassment"}\n'
            ),
        },
    ]


def test_export_records_access(
    client: TestClient,
    signed_in: Callable[[str], str],
    known_logs: dict[str, str],
    turn_ids: Callable[[str], list[int]],
    session_factory: sessionmaker[Session],
) -> None:
    from directory.logs.models import TranscriptAccess

    _flag_and_check(client, signed_in, known_logs, turn_ids, session_factory)
    with session_factory() as db:
        before = len(list(db.scalars(select(TranscriptAccess))))

    client.get(EXPORT)

    with session_factory() as db:
        records = list(db.scalars(select(TranscriptAccess)))
    exported = {record.conversation_id for record in records[before:]}
    assert len(records) - before == 2
    assert exported == {known_logs["META2222"], known_logs["SRCH3333"]}


def _rasa_environment() -> dict[str, str]:
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}


def test_export_loads_in_rasa(
    client: TestClient,
    database_url: str,
    signed_in: Callable[[str], str],
    known_logs: dict[str, str],
    turn_ids: Callable[[str], list[int]],
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the exported text does not depend on the database")
    if not RASA.exists():
        pytest.fail(f"{RASA} is missing; run make setup", pytrace=False)
    _flag_and_check(client, signed_in, known_logs, turn_ids, session_factory)
    for turn_id in add_button_turns(session_factory, known_logs["NONE6666"]):
        add_reviewed_flag(session_factory, known_logs["NONE6666"], turn_id)
    exported = tmp_path / "reviewed_flags_nlu.yml"
    exported.write_text(client.get(EXPORT).text, encoding="utf-8")

    validate = subprocess.run(
        [
            str(RASA),
            "data",
            "validate",
            "--domain",
            str(REPO_ROOT / "bot" / "domain"),
            "--data",
            str(exported),
            "--config",
            str(REPO_ROOT / "bot" / "config.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env=_rasa_environment(),
    )
    loaded = subprocess.run(
        [str(RASA_PYTHON), "-c", LOAD_WITH_RASA, str(exported)],
        capture_output=True,
        text=True,
        timeout=300,
        env=_rasa_environment(),
    )

    output = validate.stdout + validate.stderr
    assert validate.returncode == 0, output
    assert "not listed in your domain" not in output
    assert "Error" not in output
    assert loaded.returncode == 0, loaded.stderr
    examples = sorted(json.loads(loaded.stdout.strip().splitlines()[-1]), key=str)
    assert examples == sorted(
        [
            {"text": "what do you reckon then", "intent": "ask_human", "entities": []},
            {
                "text": "it was Alex from the flats again",
                "intent": "describe_incident",
                "entities": [["incident_type", "harassment", 12, 32]],
            },
        ],
        key=str,
    )


@pytest.mark.parametrize(
    ("redacted", "expected"),
    [
        ("call [PERSON_1] on [PHONE_2]", "call Alex on 07700 900123"),
        (
            "he lives at [ADDRESS_1], [POSTCODE_1]",
            "he lives at 12 Example Street, LE1 9ZZ",
        ),
        ("see [SOMETHING_NEW_1]", "see something new"),
        ("a [link](here) and {braces}", "a (link)(here) and (braces)"),
        ("two\nlines  here", "two lines here"),
    ],
)
def test_example_text_has_no_markup(redacted: str, expected: str) -> None:
    assert example_text(redacted) == expected


def test_annotate_skips_missing_and_overlapping_words() -> None:
    labels = [
        {"entity": "characteristic", "value": "race", "text": "racist"},
        {"entity": "incident_type", "value": "verbal_abuse", "text": "racist abuse"},
        {"entity": "area", "value": "leicester", "text": "in leicester"},
    ]

    annotated = annotate("he shouted racist abuse", labels)

    assert annotated == (
        'he shouted [racist]{"entity": "characteristic", "value": "race"} abuse'
    )


def test_trainable_intents_come_from_domain() -> None:
    intents = trainable_intents()

    assert "describe_incident" in intents
    assert "greet" in intents
    assert "nlu_fallback" not in intents


def test_erasure_deletes_flags(
    client: TestClient,
    signed_in: Callable[[str], str],
    known_logs: dict[str, str],
    turn_ids: Callable[[str], list[int]],
    session_factory: sessionmaker[Session],
) -> None:
    from directory.logs.store import erase_conversation

    _flag_and_check(client, signed_in, known_logs, turn_ids, session_factory)
    with session_factory() as db:
        assert erase_conversation(db, known_logs["META2222"])

    remaining = {flag.conversation_id for flag in flags(session_factory)}
    document = yaml.safe_load(client.get(EXPORT).text)
    assert known_logs["META2222"] not in remaining
    assert len(remaining) == 3
    assert [entry["intent"] for entry in document["nlu"]] == ["ask_human"]


BUTTON_PAYLOAD = '/inform{"area": "leicester"}'


def add_button_turns(
    session_factory: sessionmaker[Session], conversation_id: str
) -> tuple[int, int]:
    """Add a button press and a quick reply to a conversation; return their ids.

    The quick reply is marked as typed text, as in a log written before
    `input_kind` existed, so only its leading "/" marks it as a payload.
    """
    with session_factory() as db:
        conversation = db.get(ConversationLog, conversation_id)
        assert conversation is not None
        number = len(conversation.turns)
        turns = [
            LogTurn(
                turn_number=number + offset,
                occurred_at=conversation.last_event_at,
                input_kind=kind,
                visitor_text=payload,
                intent=intent,
                intent_confidence=1.0,
                entities=[],
                replies=[],
                actions=[],
                situation={},
                routes=[],
                fallback=False,
                complete=True,
            )
            for offset, (kind, payload, intent) in enumerate(
                (("button", BUTTON_PAYLOAD, "inform"), ("text", "/affirm", "affirm")),
                start=1,
            )
        ]
        conversation.turns.extend(turns)
        db.commit()
        return turns[0].id, turns[1].id


def add_reviewed_flag(
    session_factory: sessionmaker[Session], conversation_id: str, turn_id: int
) -> None:
    """Store a checked flag straight in the table, as one made before button
    presses were refused would be."""
    with session_factory() as db:
        db.add(
            ReviewFlag(
                turn_id=turn_id,
                conversation_id=conversation_id,
                intent="inform",
                labels=[],
                status=REVIEWED,
                flagged_by="1",
                flagged_at=utc_now(),
                reviewed_by="2",
                reviewed_at=utc_now(),
            )
        )
        db.commit()


def test_button_press_cannot_be_flagged(
    client: TestClient,
    signed_in: Callable[[str], str],
    known_logs: dict[str, str],
    session_factory: sessionmaker[Session],
) -> None:
    conversation_id = known_logs["META2222"]
    button, quick_reply = add_button_turns(session_factory, conversation_id)
    token = signed_in(REVIEWER)

    for turn_id in (button, quick_reply):
        response = client.post(
            f"{LIST}/{conversation_id}/turns/{turn_id}/flag",
            data={"csrf_token": token, "intent": "inform"},
            follow_redirects=False,
        )

        assert response.status_code == 400
        assert BUTTON_PRESS_REASON in response.text
    assert flags(session_factory) == []


def test_transcript_explains_button_press(
    client: TestClient,
    signed_in: Callable[[str], str],
    known_logs: dict[str, str],
    session_factory: sessionmaker[Session],
) -> None:
    conversation_id = known_logs["META2222"]
    button, quick_reply = add_button_turns(session_factory, conversation_id)
    signed_in(REVIEWER)

    page = client.get(f"{LIST}/{conversation_id}").text

    assert page.count(BUTTON_PRESS_REASON) == 2
    assert f"/turns/{button}/flag" not in page
    assert f"/turns/{quick_reply}/flag" not in page
    typed = turn_ids_of(session_factory, conversation_id)[0]
    assert f"/turns/{typed}/flag" in page


def turn_ids_of(
    session_factory: sessionmaker[Session], conversation_id: str
) -> list[int]:
    with session_factory() as db:
        conversation = db.get(ConversationLog, conversation_id)
        assert conversation is not None
        return [turn.id for turn in conversation.turns]


def test_export_leaves_out_button_presses(
    client: TestClient,
    signed_in: Callable[[str], str],
    known_logs: dict[str, str],
    turn_ids: Callable[[str], list[int]],
    session_factory: sessionmaker[Session],
) -> None:
    _flag_and_check(client, signed_in, known_logs, turn_ids, session_factory)
    conversation_id = known_logs["NONE6666"]
    for turn_id in add_button_turns(session_factory, conversation_id):
        add_reviewed_flag(session_factory, conversation_id, turn_id)

    exported = client.get(EXPORT).text

    assert "inform" not in exported
    assert "affirm" not in exported
    assert "leicester" not in exported
    intents = [entry["intent"] for entry in yaml.safe_load(exported)["nlu"]]
    assert intents == ["ask_human", "describe_incident"]
