"""Paid channels of the site's campaign, from the stored UTM source and medium.

The site's paid channels are Meta, Google Search, Google Display and TikTok.
The log keeps `utm_source` and `utm_medium` only from allow-lists (see
`directory/logs/campaign.py`), so the channel is decided from those values.
"""

from dataclasses import dataclass

META_SOURCES = frozenset({"meta", "facebook", "instagram"})
GOOGLE_SOURCES = frozenset({"google"})
TIKTOK_SOURCES = frozenset({"tiktok"})
GOOGLE_SEARCH_MEDIUMS = frozenset({"cpc", "paid_search"})
GOOGLE_DISPLAY_MEDIUMS = frozenset({"display", "video"})


@dataclass(frozen=True)
class Channel:
    """A campaign channel: its code in page addresses and its name on the pages."""

    code: str
    name: str


META = Channel("meta", "Meta")
GOOGLE_SEARCH = Channel("google_search", "Google Search")
GOOGLE_DISPLAY = Channel("google_display", "Google Display")
GOOGLE_OTHER = Channel("google_other", "Google, other medium")
TIKTOK = Channel("tiktok", "TikTok")
OTHER_SOURCE = Channel("other", "Other source")
NO_CAMPAIGN = Channel("none", "No campaign source")

CHANNELS = (
    META,
    GOOGLE_SEARCH,
    GOOGLE_DISPLAY,
    GOOGLE_OTHER,
    TIKTOK,
    OTHER_SOURCE,
    NO_CAMPAIGN,
)
CHANNELS_BY_CODE = {channel.code: channel for channel in CHANNELS}


def channel_of(utm_source: str | None, utm_medium: str | None) -> Channel:
    """Return the channel of a conversation's stored source and medium."""
    if not utm_source:
        return NO_CAMPAIGN
    if utm_source in META_SOURCES:
        return META
    if utm_source in TIKTOK_SOURCES:
        return TIKTOK
    if utm_source in GOOGLE_SOURCES:
        if utm_medium in GOOGLE_SEARCH_MEDIUMS:
            return GOOGLE_SEARCH
        if utm_medium in GOOGLE_DISPLAY_MEDIUMS:
            return GOOGLE_DISPLAY
        return GOOGLE_OTHER
    return OTHER_SOURCE
