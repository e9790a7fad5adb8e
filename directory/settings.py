"""Settings of the directory service, read from `SOS_*` environment variables."""

import json
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_RASA_TOKEN = "development-only-rasa-token"
DEVELOPMENT_LOG_INGEST_TOKEN = "development-only-log-ingest-token"


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
    # Rasa servers that take the chat turns, in SOS_RASA_URLS as a JSON list or
    # comma-separated. Several servers need a shared tracker store and lock
    # store (docs/deployment.md).
    rasa_urls: Annotated[list[str], NoDecode] = ["http://127.0.0.1:5005"]
    # Base URL of the action server each Rasa server calls, in the same order
    # (SOS_ACTION_SERVER_URLS). When set, the gateway sends a turn only to a
    # Rasa server whose action server passes a health check, and adds the key
    # routes when the check fails after the turn.
    action_server_urls: Annotated[list[str], NoDecode] = []
    rasa_token: str = DEVELOPMENT_RASA_TOKEN
    rasa_timeout_seconds: float = 10.0
    # Requests each service process sends to one Rasa server at once, and how
    # long a request waits for a place when every server is full before the
    # visitor gets the fallback reply. A Rasa server works on one turn at a
    # time, so the wait is better spent here than inside Rasa, where it would
    # count against SOS_RASA_TIMEOUT_SECONDS.
    rasa_requests_per_server: int = Field(default=4, ge=1)
    rasa_queue_seconds: float = Field(default=15.0, ge=0)
    # Connections each service process keeps open to a PostgreSQL database, and
    # how many more it may open at busy times (SQLite ignores both).
    database_pool_size: int = Field(default=10, ge=1)
    database_max_overflow: int = Field(default=20, ge=0)
    max_message_chars: int = 2000
    max_body_bytes: int = 65536
    content_dir: Path = REPO_ROOT / "content"
    data_dir: Path = REPO_ROOT / "data"
    # Origins of the site pages allowed to call the chat API: a JSON list or a
    # comma-separated string in SOS_ALLOWED_ORIGINS.
    allowed_origins: Annotated[list[str], NoDecode] = [
        "http://127.0.0.1:8000",
        "http://localhost:8000",
    ]
    # Hours after its last message that a conversation's Rasa tracker is
    # cleared and its gateway row deleted, by the scheduled purge.
    conversation_idle_hours: float = Field(default=6.0, gt=0)
    # Chat gateway rate limits: requests (new conversations and messages) per
    # client address, and messages per conversation, in each window of seconds.
    rate_limit_window_seconds: float = 60.0
    rate_limit_client_requests: int = 60
    rate_limit_conversation_messages: int = 20
    # With a Redis URL the rate limits are shared by every service process;
    # the processes then need the same secret for the keyed hashes of client
    # addresses. Without one, each process keeps its own limits in memory.
    rate_limit_redis_url: str | None = None
    rate_limit_redis_prefix: str = "sos-ratelimit"
    rate_limit_key_secret: str | None = None
    # The neutral site that "Exit this page" opens on the demonstration page.
    demo_page_exit_url: str = "https://www.bbc.co.uk/weather"
    # Staff pages: failed sign-ins in a row that lock an account, how long the
    # lock lasts, how long a signed-in session lasts, and how often a service's
    # details must be confirmed (Open Referral UK asks for every three months).
    staff_max_failed_sign_ins: int = 5
    staff_lockout_minutes: int = 15
    staff_session_hours: int = 8
    staff_check_interval_days: int = 90
    # Conversation logs: days a log is kept after its last event, seconds
    # between scheduled purges (0 turns the schedule off), and the token the
    # event broker sends to POST /api/logs/events.
    log_retention_days: int = Field(default=90, ge=0)
    log_purge_interval_seconds: float = Field(default=3600.0, ge=0)
    log_ingest_token: str = DEVELOPMENT_LOG_INGEST_TOKEN
    # Body limit of POST /api/logs/events. One event of a 2,000-character
    # message can exceed the visitors' limit (max_body_bytes), because Rasa
    # adds an entity for every place or label it finds.
    log_ingest_max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    # RabbitMQ consumer of Rasa's pika event broker, off unless the URL is set
    # (for example amqp://guest:guest@127.0.0.1:5672/).
    log_rabbitmq_url: str | None = None
    log_rabbitmq_queue: str = "conversation_events"
    # In-memory redactors: at most this many conversations, each dropped after
    # this many seconds without a new event.
    log_redactor_max_conversations: int = Field(default=10000, ge=1)
    log_redactor_idle_seconds: float = Field(default=6 * 3600.0, gt=0)
    # UTM values kept in the logs; any other utm_source or utm_medium is
    # stored as "other".
    log_campaign_sources: list[str] = [
        "meta",
        "facebook",
        "instagram",
        "google",
        "tiktok",
    ]
    log_campaign_mediums: list[str] = [
        "paid_social",
        "social",
        "cpc",
        "paid_search",
        "display",
        "video",
        "email",
        "referral",
    ]

    @field_validator(
        "allowed_origins", "rasa_urls", "action_server_urls", mode="before"
    )
    @classmethod
    def split_list(cls, value: Any) -> Any:
        """Accept a list setting as a JSON list or a comma-separated string."""
        if not isinstance(value, str):
            return value
        if value.strip().startswith("["):
            return json.loads(value)
        return [origin.strip() for origin in value.split(",") if origin.strip()]

    @field_validator("allowed_origins")
    @classmethod
    def check_allowed_origins(cls, origins: list[str]) -> list[str]:
        """Reject a wildcard and values that no browser's Origin header can equal."""
        for origin in origins:
            parts = urlsplit(origin)
            well_formed = (
                parts.scheme in ("http", "https")
                and bool(parts.netloc)
                and not parts.path
                and not parts.query
                and not parts.fragment
            )
            if not well_formed:
                raise ValueError(
                    f"SOS_ALLOWED_ORIGINS contains {origin!r}, which is not an "
                    "origin; give scheme and host only, such as "
                    "https://www.example.org, without a path or trailing slash"
                )
        return origins

    @model_validator(mode="after")
    def pair_action_servers(self) -> "Settings":
        """Require one action server URL per Rasa server, or none."""
        if not self.rasa_urls:
            raise ValueError("SOS_RASA_URLS must name at least one Rasa server")
        if self.action_server_urls and len(self.action_server_urls) != len(
            self.rasa_urls
        ):
            raise ValueError(
                f"SOS_ACTION_SERVER_URLS lists {len(self.action_server_urls)} "
                f"action servers for {len(self.rasa_urls)} Rasa servers: give the "
                "action server of each Rasa server, in the same order, or none"
            )
        return self

    @model_validator(mode="after")
    def require_shared_rate_limit_secret(self) -> "Settings":
        """Require the key secret when the rate limits are shared through Redis."""
        if self.rate_limit_redis_url and not self.rate_limit_key_secret:
            raise ValueError(
                "SOS_RATE_LIMIT_KEY_SECRET is missing: with SOS_RATE_LIMIT_REDIS_URL "
                "set, give every service process the same random secret, so that "
                "one client address has one rate limit bucket"
            )
        return self

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
        if (
            self.environment != "development"
            and self.log_ingest_token == DEVELOPMENT_LOG_INGEST_TOKEN
        ):
            raise ValueError(
                "SOS_LOG_INGEST_TOKEN is the development default, which is not "
                f"allowed when SOS_ENVIRONMENT is {self.environment!r}. Set it to "
                "a random secret and give the Rasa event broker the same one."
            )
        return self


settings = Settings()
