"""Tests of `POST /api/assess` with a fake Rasa parse and the real signposting."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from directory.app import app
from directory.rasa_client import RasaClient, get_rasa_client
from tests.gateway.fake_rasa import FAKE_TOKEN, FakeRasa, unused_port

RESPONSE_FIELDS = {
    "intent",
    "intent_confidence",
    "characteristics",
    "faiths",
    "incident_types",
    "urgent",
    "self_harm",
    "area",
    "needs_town",
    "postcode_district",
    "likely",
    "role",
    "under_18",
    "routes",
    "explanation",
    "notes",
}
MOSQUE_PARSE: dict[str, Any] = {
    "text": "",
    "intent": {"name": "describe_incident", "confidence": 0.91},
    "entities": [
        {"entity": "characteristic", "value": "religion"},
        {"entity": "faith", "value": "muslim"},
        {"entity": "incident_type", "value": "criminal_damage"},
        {"entity": "incident_type", "value": "hate_material"},
        {"entity": "area", "value": "charnwood"},
    ],
}


def assess(client: TestClient, text: str) -> Any:
    return client.post("/api/assess", json={"text": text})


def test_assess_returns_every_field(client: TestClient, fake_rasa: FakeRasa) -> None:
    fake_rasa.parse_reply = MOSQUE_PARSE

    response = assess(
        client, "Someone sprayed hate slogans on our mosque in Loughborough"
    )

    assert response.status_code == 200
    assert set(response.json()) == RESPONSE_FIELDS


def test_assess_maps_entities(client: TestClient, fake_rasa: FakeRasa) -> None:
    fake_rasa.parse_reply = MOSQUE_PARSE

    body = assess(client, "Someone sprayed hate slogans on our mosque").json()

    assert body["intent"] == "describe_incident"
    assert body["intent_confidence"] == 0.91
    assert body["characteristics"] == ["religion"]
    assert body["faiths"] == ["muslim"]
    assert body["incident_types"] == ["criminal_damage", "hate_material"]
    assert body["area"] == "charnwood"
    assert body["role"] == "victim"
    assert body["urgent"] is False


def test_assess_described_situation_is_signposted(
    client: TestClient, fake_rasa: FakeRasa
) -> None:
    fake_rasa.parse_reply = MOSQUE_PARSE

    body = assess(client, "Someone sprayed hate slogans on our mosque").json()

    assert body["likely"] in {"crime", "non_crime_incident", "not_hate", "unclear"}
    assert body["explanation"] != []


def test_assess_sends_cleaned_text(client: TestClient, fake_rasa: FakeRasa) -> None:
    assess(client, "  they\x00 spat at Ade  ")

    assert fake_rasa.requests_to("/model/parse")[0].body == {"text": "they spat at Ade"}


@pytest.mark.parametrize("intent", ["greet", "ask_definition"])
def test_assess_question_has_no_reading(
    client: TestClient, fake_rasa: FakeRasa, intent: str
) -> None:
    fake_rasa.parse_reply = {
        "intent": {"name": intent, "confidence": 0.8},
        "entities": [],
    }

    body = assess(client, "what counts as a hate crime?").json()

    assert body["likely"] is None
    assert body["routes"] == []
    assert body["explanation"] == []


def test_assess_crisis_is_urgent(client: TestClient, fake_rasa: FakeRasa) -> None:
    fake_rasa.parse_reply = {
        "intent": {"name": "crisis", "confidence": 0.99},
        "entities": [{"entity": "urgency", "value": "self_harm"}],
    }

    body = assess(client, "I can't go on").json()

    assert body["urgent"] is True
    assert body["self_harm"] is True


def test_assess_postcode_needs_town(client: TestClient, fake_rasa: FakeRasa) -> None:
    fake_rasa.parse_reply = {
        "intent": {"name": "describe_incident", "confidence": 0.7},
        "entities": [
            {"entity": "incident_type", "value": "verbal_abuse"},
            {
                "entity": "postcode_district",
                "value": "LE2",
                "candidates": ["leicester", "oadby_and_wigston"],
            },
        ],
    }

    body = assess(client, "they shouted at me in LE2").json()

    assert body["area"] is None
    assert body["needs_town"] is True
    assert body["postcode_district"] == "LE2"


@pytest.mark.parametrize(
    ("text", "message_part"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("a" * 10_000, "longer than 2000 characters"),
        ("/restart", "command"),
        ("😢😢", "no letters or digits"),
    ],
)
def test_assess_invalid_text_is_422(
    client: TestClient, fake_rasa: FakeRasa, text: str, message_part: str
) -> None:
    response = assess(client, text)

    assert response.status_code == 422
    assert message_part in response.json()["detail"][0]["msg"]
    assert fake_rasa.requests == []


def test_assess_422_does_not_echo_text(client: TestClient) -> None:
    response = assess(client, "/inform Dana lives at 4 Mill Lane")

    assert "Dana" not in response.text


def test_assess_missing_text_is_422(client: TestClient) -> None:
    response = client.post("/api/assess", json={})

    assert response.status_code == 422


def test_assess_rasa_down_is_503(client: TestClient) -> None:
    down = RasaClient(f"http://127.0.0.1:{unused_port()}", FAKE_TOKEN, 1.0)
    app.dependency_overrides[get_rasa_client] = lambda: down

    response = assess(client, "someone keyed my car")

    assert response.status_code == 503
    assert "not available" in response.json()["detail"]


def test_openapi_documents_assess(client: TestClient) -> None:
    document = client.get("/openapi.json").json()

    operation = document["paths"]["/api/assess"]["post"]
    request_ref = operation["requestBody"]["content"]["application/json"]["schema"]
    response_ref = operation["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    assert request_ref["$ref"].endswith("/AssessRequest")
    assert response_ref["$ref"].endswith("/AssessResponse")


def test_openapi_documents_chat_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert "/api/chat/conversations" in paths
    assert "/api/chat/conversations/{conversation_id}/messages" in paths
