"""Campaign source of the page that the chat widget sat on (UTM fields).

The widget reads `utm_source`, `utm_medium` and `utm_campaign` from the page
address and sends them when it starts a conversation. They are free text in
the address, so only values from the allow-lists in the settings are kept:
any other source or medium is stored as `other`. A campaign name is kept only
if it is a short slug in which the redactor finds no personal detail once its
separators are read as spaces, so that a name or e-mail address pasted into a
link ("jo.bloggs", "for-jo-bloggs") cannot reach the log.
"""

import re

from pydantic import BaseModel, Field

from directory.logs.models import CAMPAIGN_FIELD_LENGTH
from directory.settings import settings

OTHER = "other"
CAMPAIGN_PATTERN = re.compile(rf"[a-z0-9][a-z0-9_.-]{{0,{CAMPAIGN_FIELD_LENGTH - 1}}}")
SLUG_SEPARATORS = re.compile(r"[_.-]+")
# Maximum length of a value in the request body; FastAPI rejects a longer
# one with 422 before the handler runs.
MAX_INPUT_LENGTH = 200


class Campaign(BaseModel):
    """Optional UTM fields of the page the widget sat on."""

    utm_source: str | None = Field(
        default=None,
        max_length=MAX_INPUT_LENGTH,
        description="utm_source of the page address, for example `meta`.",
    )
    utm_medium: str | None = Field(
        default=None,
        max_length=MAX_INPUT_LENGTH,
        description="utm_medium of the page address, for example `paid_social`.",
    )
    utm_campaign: str | None = Field(
        default=None,
        max_length=MAX_INPUT_LENGTH,
        description="utm_campaign of the page address, a short slug.",
    )


def normalise(campaign: Campaign | None) -> dict[str, str | None]:
    """Return the campaign fields to store: allowed values, `other` or None."""
    if campaign is None:
        return {"utm_source": None, "utm_medium": None, "utm_campaign": None}

    return {
        "utm_source": _allowed(campaign.utm_source, settings.log_campaign_sources),
        "utm_medium": _allowed(campaign.utm_medium, settings.log_campaign_mediums),
        "utm_campaign": _slug(campaign.utm_campaign),
    }


def _allowed(value: str | None, allowed: list[str]) -> str | None:
    if value is None or not value.strip():
        return None
    cleaned = value.strip().lower()
    return cleaned if cleaned in allowed else OTHER


def _slug(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = value.strip().lower()
    if not CAMPAIGN_PATTERN.fullmatch(cleaned):
        return None
    return None if _has_personal_detail(cleaned) else cleaned


def _has_personal_detail(slug: str) -> bool:
    """Return whether the redactor finds anything in the slug's words."""
    from directory.redaction import build_redactor

    words = SLUG_SEPARATORS.sub(" ", slug).strip()
    return bool(build_redactor().find(words))
