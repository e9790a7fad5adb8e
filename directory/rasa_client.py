"""Async client for the HTTP API and REST channel of a Rasa 3.6 server."""

import logging
from typing import Any

import httpx

from directory.settings import settings

logger = logging.getLogger(__name__)

# httpx logs every request URL at INFO, and the Rasa HTTP API takes its auth
# token as a query parameter, so INFO records from httpx would contain the token.
logging.getLogger("httpx").setLevel(logging.WARNING)


class RasaUnavailable(Exception):
    """Raised when Rasa cannot be reached, times out or returns an unusable reply."""


class RasaClient:
    """Client for the Rasa endpoints that the directory service uses.

    Each call opens its own `httpx.AsyncClient`, so an instance keeps no
    connections and needs no closing. Pass `transport` to route requests to a
    test double such as `httpx.MockTransport`.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None,
        timeout_seconds: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout_seconds = timeout_seconds
        self.transport = transport

    @classmethod
    def from_settings(cls) -> "RasaClient":
        """Build a client from `directory.settings.settings`."""
        return cls(
            base_url=settings.rasa_url,
            token=settings.rasa_token,
            timeout_seconds=settings.rasa_timeout_seconds,
        )

    async def parse(self, text: str) -> dict[str, Any]:
        """Run NLU on `text` with `POST /model/parse` and return the parse result."""
        body = await self._request(
            "POST", "/model/parse", json={"text": text}, authenticated=True
        )
        if not isinstance(body, dict):
            raise RasaUnavailable(
                "POST /model/parse returned JSON that is not an object; "
                "check that the Rasa server runs Rasa 3.6"
            )
        return body

    async def send_message(
        self, conversation_id: str, text: str
    ) -> list[dict[str, Any]]:
        """Send a visitor message through the REST channel and return the bot turn.

        Rasa's REST channel returns 200 with an empty list when something fails
        inside Rasa, and every turn of this bot sends at least one message, so an
        empty list raises `RasaUnavailable` like a transport failure does.
        """
        body = await self._request(
            "POST",
            "/webhooks/rest/webhook",
            json={"sender": conversation_id, "message": text},
            authenticated=False,
        )
        if not isinstance(body, list):
            raise RasaUnavailable(
                "POST /webhooks/rest/webhook returned JSON that is not a list; "
                "check that the REST channel is enabled in credentials.yml"
            )
        if not body:
            raise RasaUnavailable(
                "POST /webhooks/rest/webhook returned an empty list; "
                "check the Rasa server log for an error in this turn"
            )
        return [message for message in body if isinstance(message, dict)]

    async def delete_conversation(self, conversation_id: str) -> None:
        """Replace the events of a conversation's tracker with an empty list.

        NOTE: Rasa 3.6 saves the replaced tracker with `TrackerStore.save`. The
        in-memory tracker store overwrites the stored events, but the SQL and
        Mongo tracker stores only append events beyond the number already stored,
        so with those stores the old events stay in the tracker store.
        """
        await self._request(
            "PUT",
            f"/conversations/{conversation_id}/tracker/events",
            json=[],
            authenticated=True,
        )

    async def _request(
        self, method: str, path: str, json: Any, authenticated: bool
    ) -> Any:
        """Send one request to Rasa and return the decoded JSON body."""
        params = {"token": self.token} if authenticated and self.token else None

        try:
            async with httpx.AsyncClient(
                base_url=self.base_url,
                timeout=self.timeout_seconds,
                transport=self.transport,
            ) as client:
                response = await client.request(method, path, json=json, params=params)
        except httpx.TimeoutException as exc:
            raise RasaUnavailable(
                f"{method} {path} timed out after {self.timeout_seconds} s; "
                f"check that Rasa is running at {self.base_url}"
            ) from exc
        except httpx.HTTPError as exc:
            raise RasaUnavailable(
                f"{method} {path} failed with {type(exc).__name__}; "
                f"check that Rasa is running at {self.base_url}"
            ) from exc

        return _decode_response(method, path, response)


def _decode_response(method: str, path: str, response: httpx.Response) -> Any:
    """Return the JSON body of a 2xx response, or raise `RasaUnavailable`."""
    if not response.is_success:
        raise RasaUnavailable(
            f"{method} {path} returned HTTP {response.status_code}; "
            "check the Rasa auth token and the Rasa server log"
        )

    try:
        return response.json()
    except ValueError as exc:
        raise RasaUnavailable(
            f"{method} {path} returned a body that is not JSON; "
            "check that the URL points at a Rasa server"
        ) from exc


def get_rasa_client() -> RasaClient:
    """Return a client configured from the settings (FastAPI dependency)."""
    return RasaClient.from_settings()
