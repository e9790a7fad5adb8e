"""Tests of reading the chat API's allowed origins from the environment."""

import pytest
from pydantic import ValidationError

from directory.settings import Settings


def read_origins(monkeypatch: pytest.MonkeyPatch, value: str) -> list[str]:
    monkeypatch.setenv("SOS_ALLOWED_ORIGINS", value)
    return Settings(_env_file=None).allowed_origins


def test_origins_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    origins = read_origins(
        monkeypatch, "https://www.example.org, https://staging.example.org:8443"
    )

    assert origins == ["https://www.example.org", "https://staging.example.org:8443"]


def test_origins_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    origins = read_origins(monkeypatch, '["https://www.example.org"]')

    assert origins == ["https://www.example.org"]


@pytest.mark.parametrize(
    "value",
    [
        "*",
        "https://www.example.org/",
        "https://www.example.org/chat",
        "www.example.org",
        "ftp://www.example.org",
    ],
)
def test_origins_not_an_origin_rejected(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    with pytest.raises(ValidationError, match="not an origin"):
        read_origins(monkeypatch, value)
