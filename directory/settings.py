"""Settings of the directory service, read from `SOS_*` environment variables."""

from pathlib import Path

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_RASA_TOKEN = "development-only-rasa-token"


class Settings(BaseSettings):
    """Configuration of the directory service.

    Every field can be set through an environment variable with the prefix
    `SOS_` (for example `SOS_DATABASE_URL`) or through a `.env` file in the
    working directory.
    """

    model_config = SettingsConfigDict(
        env_prefix="SOS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: str = "development"
    database_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'directory.db'}"
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = DEVELOPMENT_RASA_TOKEN
    rasa_timeout_seconds: float = 10.0
    max_message_chars: int = 2000
    max_body_bytes: int = 65536
    content_dir: Path = REPO_ROOT / "content"
    data_dir: Path = REPO_ROOT / "data"
    allowed_origins: list[str] = ["http://127.0.0.1:8000", "http://localhost:8000"]

    @model_validator(mode="after")
    def reject_development_token_outside_development(self) -> "Settings":
        """Reject the built-in Rasa token in any environment but development."""
        if (
            self.environment != "development"
            and self.rasa_token == DEVELOPMENT_RASA_TOKEN
        ):
            raise ValueError(
                f"SOS_RASA_TOKEN is the development default, which is not allowed "
                f"when SOS_ENVIRONMENT is {self.environment!r}. Set SOS_RASA_TOKEN "
                "to the token the Rasa server was started with."
            )
        return self


settings = Settings()
