"""Tests of the chat gateway's rate limits per client address and per conversation."""

import logging

import pytest
from fastapi.testclient import TestClient

from directory.gateway.content import get_wording
from directory.gateway.ratelimit import ClientKeys, GatewayLimits, RateLimiter
from tests.gateway.fake_rasa import FakeRasa


class FakeClock:
    """A monotonic clock that moves only when a test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def messages_url(conversation_id: str) -> str:
    return f"/api/chat/conversations/{conversation_id}/messages"


def test_limiter_allows_burst_up_to_limit() -> None:
    limiter = RateLimiter(3, 60.0, clock=FakeClock())

    results = [limiter.acquire("key") for _ in range(3)]

    assert results == [None, None, None]


def test_limiter_rejects_over_limit_with_wait() -> None:
    limiter = RateLimiter(3, 60.0, clock=FakeClock())
    for _ in range(3):
        limiter.acquire("key")

    retry_after = limiter.acquire("key")

    assert retry_after == pytest.approx(20.0)


def test_limiter_refills_over_time() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, 60.0, clock=clock)
    for _ in range(3):
        limiter.acquire("key")

    clock.now += 20.0

    assert limiter.acquire("key") is None
    assert limiter.acquire("key") is not None


def test_limiter_keys_are_independent() -> None:
    limiter = RateLimiter(1, 60.0, clock=FakeClock())
    limiter.acquire("first")

    assert limiter.acquire("second") is None
    assert limiter.acquire("first") is not None


def test_limiter_sweeps_idle_keys() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2, 60.0, clock=clock)
    for number in range(50):
        limiter.acquire(f"key-{number}")

    clock.now += 61.0
    limiter.acquire("fresh")

    assert len(limiter) == 1


@pytest.mark.parametrize(("limit", "window"), [(0, 60.0), (5, 0.0), (5, -1.0)])
def test_limiter_invalid_settings_rejected(limit: int, window: float) -> None:
    with pytest.raises(ValueError, match="limit >= 1"):
        RateLimiter(limit, window)


def test_client_key_hides_address() -> None:
    keys = ClientKeys(secret=b"s" * 32)

    key = keys.key_for("192.0.2.10")

    assert "192.0.2.10" not in key
    assert key == keys.key_for("192.0.2.10")
    assert key != keys.key_for("192.0.2.11")


def test_client_keys_differ_between_secrets() -> None:
    assert ClientKeys().key_for("192.0.2.10") != ClientKeys().key_for("192.0.2.10")


def test_conversation_over_limit_gets_429(
    client: TestClient, limits: GatewayLimits, fake_rasa: FakeRasa
) -> None:
    limits.per_conversation = RateLimiter(2, 60.0)
    conversation_id = client.post("/api/chat/conversations").json()["conversation_id"]
    for _ in range(2):
        ok = client.post(messages_url(conversation_id), json={"text": "hello"})
        assert ok.status_code == 200

    response = client.post(messages_url(conversation_id), json={"text": "hello"})

    assert response.status_code == 429
    assert response.json() == {"detail": get_wording().rate_limited}
    assert response.headers["retry-after"] == "30"
    assert fake_rasa.messages_sent() == ["hello", "hello"]


def test_conversation_limit_leaves_others_alone(
    client: TestClient, limits: GatewayLimits
) -> None:
    limits.per_conversation = RateLimiter(1, 60.0)
    first = client.post("/api/chat/conversations").json()["conversation_id"]
    second = client.post("/api/chat/conversations").json()["conversation_id"]
    client.post(messages_url(first), json={"text": "hello"})

    blocked = client.post(messages_url(first), json={"text": "hello"})
    other = client.post(messages_url(second), json={"text": "hello"})

    assert blocked.status_code == 429
    assert other.status_code == 200


def test_client_over_limit_cannot_start(
    client: TestClient, limits: GatewayLimits
) -> None:
    limits.per_client = RateLimiter(3, 60.0)
    for _ in range(3):
        assert client.post("/api/chat/conversations").status_code == 201

    response = client.post("/api/chat/conversations")

    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    assert "wait" in response.json()["detail"]


def test_client_limit_counts_messages(
    client: TestClient, limits: GatewayLimits, fake_rasa: FakeRasa
) -> None:
    limits.per_client = RateLimiter(2, 60.0)
    conversation_id = client.post("/api/chat/conversations").json()["conversation_id"]
    client.post(messages_url(conversation_id), json={"text": "hello"})

    response = client.post(messages_url(conversation_id), json={"text": "hello"})

    assert response.status_code == 429
    assert len(fake_rasa.messages_sent()) == 1


def test_delete_is_not_rate_limited(
    client: TestClient, limits: GatewayLimits, conversation_id: str
) -> None:
    limits.per_client = RateLimiter(1, 3600.0)
    limits.per_conversation = RateLimiter(1, 3600.0)
    client.post(messages_url(conversation_id), json={"text": "hello"})

    response = client.delete(f"/api/chat/conversations/{conversation_id}")

    assert response.status_code == 204


def test_rate_limit_429_readable_cross_origin(
    client: TestClient, limits: GatewayLimits
) -> None:
    origin = "http://127.0.0.1:8000"
    limits.per_client = RateLimiter(1, 60.0)
    client.post("/api/chat/conversations")

    response = client.post("/api/chat/conversations", headers={"Origin": origin})

    assert response.status_code == 429
    assert response.headers["access-control-allow-origin"] == origin
    assert "retry-after" in response.headers["access-control-expose-headers"].lower()


def test_rate_limit_log_has_no_address_or_text(
    client: TestClient, limits: GatewayLimits, caplog: pytest.LogCaptureFixture
) -> None:
    limits.per_conversation = RateLimiter(1, 60.0)
    conversation_id = client.post("/api/chat/conversations").json()["conversation_id"]
    client.post(messages_url(conversation_id), json={"text": "Tamsin Okonkwo-Reyes"})
    caplog.set_level(logging.INFO)

    client.post(messages_url(conversation_id), json={"text": "Tamsin Okonkwo-Reyes"})

    logged = caplog.text
    assert conversation_id in logged
    assert "Tamsin" not in logged
    assert "testclient" not in logged
