"""Client for the directory service's signposting API."""

from __future__ import annotations

import logging
import os
from typing import Any, Dict

import aiohttp

logger = logging.getLogger(__name__)

DIRECTORY_URL = os.environ.get("SOS_DIRECTORY_URL", "http://127.0.0.1:8000")
TIMEOUT_SECONDS = float(os.environ.get("SOS_DIRECTORY_TIMEOUT_SECONDS", "5"))


class DirectoryUnavailable(Exception):
    """The directory service could not be reached or returned an error."""


async def signpost(situation: Dict[str, Any]) -> Dict[str, Any]:
    """Send a situation to ``POST /api/signpost`` and return the routes found.

    Raises:
        DirectoryUnavailable: the service timed out, refused the connection or
            returned a status other than 200.
    """
    url = f"{DIRECTORY_URL}/api/signpost"
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)

    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(url, json=situation) as response:
                if response.status != 200:
                    raise DirectoryUnavailable(
                        f"POST {url} returned status {response.status}"
                    )
                return await response.json()
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise DirectoryUnavailable(f"POST {url} failed: {exc!r}") from exc
