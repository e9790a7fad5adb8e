"""Token-protected endpoint that receives Rasa events from the loopback broker."""

import logging
import secrets
import threading
from collections import OrderedDict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from directory.db.session import get_session
from directory.logs.capture import ingest_events
from directory.logs.redactors import get_redactor_cache
from directory.settings import settings

logger = logging.getLogger(__name__)

# Maximum events in one request. The broker limits a batch to 32 KiB, which
# stays far below this.
MAX_EVENTS_PER_REQUEST = 1000

router = APIRouter(prefix="/api/logs", tags=["conversation logs"])


# Batch ids remembered to recognise a batch that the broker sent again after
# a timeout. A repeat older than this many batches is stored twice.
REMEMBERED_BATCHES = 10_000


class EventBatch(BaseModel):
    """Rasa tracker events in the order Rasa published them."""

    batch_id: str | None = Field(
        default=None,
        max_length=64,
        description="Random id that the broker keeps when it sends a batch again.",
    )
    events: list[dict[str, Any]] = Field(max_length=MAX_EVENTS_PER_REQUEST)


class IngestResult(BaseModel):
    """How many events were stored and how many were dropped."""

    stored: int
    dropped: int
    duplicate: bool = Field(
        default=False, description="True when this batch id was received before."
    )


class RecentBatches:
    """Ids of the latest batches, bounded, shared by the worker threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, batch_id: str) -> bool:
        """Remember `batch_id`; return False if it was already remembered."""
        with self._lock:
            if batch_id in self._ids:
                return False
            self._ids[batch_id] = None
            while len(self._ids) > self.size:
                self._ids.popitem(last=False)
            return True

    def release(self, batch_id: str) -> None:
        """Forget `batch_id`, so that a batch that failed can be sent again."""
        with self._lock:
            self._ids.pop(batch_id, None)


recent_batches = RecentBatches(REMEMBERED_BATCHES)


def require_ingest_token(
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    """Reject the request unless it carries `Authorization: Bearer <token>`."""
    expected = f"Bearer {settings.log_ingest_token}"
    if authorization is None or not secrets.compare_digest(
        authorization.encode("utf-8"), expected.encode("utf-8")
    ):
        logger.warning("Rejected a log ingest request without the right token")
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Missing or invalid token: send Authorization: Bearer <token>.",
        )


@router.post(
    "/events",
    response_model=IngestResult,
    dependencies=[Depends(require_ingest_token)],
)
def post_events(
    batch: EventBatch, session: Annotated[Session, Depends(get_session)]
) -> IngestResult:
    """Redact and store a batch of Rasa events.

    The handler is synchronous, so FastAPI runs it in a worker thread and the
    redaction does not block the event loop. A batch whose id was received
    before is not stored again: the broker resends a batch after a timeout,
    and the first request may have stored it.
    """
    if batch.batch_id is not None and not recent_batches.claim(batch.batch_id):
        logger.info("Skipped a batch of %d events sent again", len(batch.events))
        return IngestResult(stored=0, dropped=0, duplicate=True)

    try:
        counts = ingest_events(session, batch.events, get_redactor_cache())
    except Exception as exc:
        # Any error is caught here because its message or traceback could quote
        # the raw event; only the error type is logged.
        session.rollback()
        if batch.batch_id is not None:
            recent_batches.release(batch.batch_id)
        logger.error(
            "Dropped a batch of %d events because storing it failed: %s",
            len(batch.events),
            type(exc).__name__,
        )
        raise HTTPException(
            status.HTTP_500_INTERNAL_SERVER_ERROR,
            detail="The events could not be stored; the service log names the error.",
        ) from None
    return IngestResult(stored=counts.stored, dropped=counts.dropped)
