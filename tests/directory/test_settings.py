"""Tests of the directory service settings."""

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from directory.settings import DEVELOPMENT_RASA_TOKEN, REPO_ROOT, Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Remove SOS_ variables and move to a folder without a .env file."""
    for name in list(os.environ):
        if name.startswith("SOS_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults_point_into_repository() -> None:
    settings = Settings()

    assert settings.database_url == f"sqlite:///{REPO_ROOT / 'var' / 'directory.db'}"
    assert settings.content_dir == REPO_ROOT / "content"
    assert settings.data_dir == REPO_ROOT / "data"


def test_environment_variables_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOS_MAX_MESSAGE_CHARS", "500")
    monkeypatch.setenv("SOS_CONTENT_DIR", "/srv/content")
    settings = Settings()

    assert settings.max_message_chars == 500
    assert settings.content_dir == Path("/srv/content")


@pytest.mark.parametrize("environment", ["production", "staging"])
def test_default_token_rejected_outside_development(
    monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    monkeypatch.setenv("SOS_ENVIRONMENT", environment)

    with pytest.raises(ValidationError, match="SOS_RASA_TOKEN"):
        Settings()


def test_real_tokens_accepted_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOS_ENVIRONMENT", "production")
    monkeypatch.setenv("SOS_RASA_TOKEN", "an-invented-secret-token")
    monkeypatch.setenv("SOS_LOG_INGEST_TOKEN", "another-invented-secret-token")

    settings = Settings()

    assert settings.rasa_token == "an-invented-secret-token"
    assert settings.log_ingest_token == "another-invented-secret-token"


def test_default_log_ingest_token_rejected_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOS_ENVIRONMENT", "production")
    monkeypatch.setenv("SOS_RASA_TOKEN", "an-invented-secret-token")

    with pytest.raises(ValidationError, match="SOS_LOG_INGEST_TOKEN"):
        Settings()


def test_default_token_allowed_in_development() -> None:

    assert Settings().rasa_token == DEVELOPMENT_RASA_TOKEN


def test_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SOS_RASA_TIMEOUT_SECONDS=2.5\n", encoding="utf-8")

    assert Settings().rasa_timeout_seconds == 2.5
