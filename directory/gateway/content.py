"""Wording of the replies that the chat gateway sends by itself."""

import functools
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError, field_validator

from directory.settings import settings

CONTENT_FILE_NAME = "gateway.yml"

# Every route that the fallback reply must still give after an edit.
REQUIRED_FALLBACK_ROUTES = (
    "999",
    "101",
    "https://www.report-it.org.uk",
    "0800 138 1625",
)


class GatewayWording(BaseModel):
    """Replies from `content/gateway.yml`, one field per situation."""

    empty_text: str
    too_long: str
    no_words: str
    command_rejected: str
    option_unavailable: str
    option_unavailable_no_options: str
    body_too_large: str
    rate_limited: str
    assistant_unavailable: str
    actions_unavailable: str

    @field_validator("assistant_unavailable", "actions_unavailable")
    @classmethod
    def _keep_every_route(cls, value: str) -> str:
        """Reject a fallback reply that lost one of the required routes."""
        missing = [route for route in REQUIRED_FALLBACK_ROUTES if route not in value]
        if missing:
            raise ValueError(
                f"this reply must contain {', '.join(missing)}; "
                "put the missing routes back into the reply"
            )
        return value


class GatewayContentError(Exception):
    """Raised when `gateway.yml` is missing, not YAML, or lacks a reply."""


def load_wording(path: Path) -> GatewayWording:
    """Read and validate the gateway replies from the YAML file at `path`."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise GatewayContentError(
            f"Could not read the chat gateway wording from {path}: {exc}"
        ) from exc

    try:
        return GatewayWording.model_validate(raw)
    except ValidationError as exc:
        raise GatewayContentError(
            f"The chat gateway wording in {path} is invalid: {exc}"
        ) from exc


@functools.cache
def get_wording() -> GatewayWording:
    """Return the gateway replies from the content folder, read once per process."""
    return load_wording(Path(settings.content_dir) / CONTENT_FILE_NAME)
