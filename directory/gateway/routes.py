"""Chat gateway API between the browser and the Rasa REST channel."""

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from directory.db.session import get_session
from directory.gateway import store
from directory.gateway.content import GatewayWording, get_wording
from directory.gateway.deletion import delete_everywhere
from directory.gateway.models import ChatConversation
from directory.gateway.ratelimit import (
    GatewayLimits,
    check_client_limit,
    check_conversation_limit,
    get_limits,
)
from directory.gateway.schemas import (
    Button,
    ChatReply,
    ConversationCreated,
    ErrorDetail,
    MessageIn,
)
from directory.gateway.service import answer_button, answer_text
from directory.logs.campaign import Campaign
from directory.logs.gateway import count_unanswered_turn, find_reference, start_log
from directory.rasa_client import RasaClient, RasaUnavailable, get_rasa_client
from directory.settings import settings

logger = logging.getLogger(__name__)

# The handlers below are async so that waiting for Rasa occupies no thread, and
# they run their database work in the thread pool: a query on the event loop
# that waits for a pooled connection would stop every request, including the
# ones that would give connections back. Dependencies that do no I/O are
# async too: FastAPI runs every plain function in the thread pool, and each
# hand-over to a thread and back adds to the turn.


async def current_wording() -> GatewayWording:
    """Return the gateway replies (FastAPI dependency, run on the event loop).

    The middleware reads them when the app is built, so no request reads the
    file.
    """
    return get_wording()


SessionDep = Annotated[Session, Depends(get_session)]
RasaDep = Annotated[RasaClient, Depends(get_rasa_client)]
WordingDep = Annotated[GatewayWording, Depends(current_wording)]
LimitsDep = Annotated[GatewayLimits, Depends(get_limits)]

NOT_FOUND_DETAIL = (
    "No conversation with this id was issued by this service. "
    "Start a new conversation with POST /api/chat/conversations."
)
NOT_FOUND_RESPONSE: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorDetail, "description": "Unknown conversation id."}
}
TOO_LARGE_RESPONSE: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorDetail, "description": "Request body too large."}
}
RATE_LIMITED_RESPONSE: dict[int | str, dict[str, Any]] = {
    429: {
        "model": ErrorDetail,
        "description": "Too many requests; the Retry-After header gives seconds.",
    }
}
DELETE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND_RESPONSE,
    503: {"model": ErrorDetail, "description": "Rasa is not available."},
}

router = APIRouter(prefix="/api/chat", tags=["chat"])


def get_conversation(conversation_id: str, session: SessionDep) -> ChatConversation:
    """Load the conversation named in the path, or raise 404 (FastAPI dependency)."""
    conversation = _issued_conversation(session, conversation_id)
    store.release_connection(session)
    return conversation


def _issued_conversation(session: Session, conversation_id: str) -> ChatConversation:
    """Return the conversation with this id, or raise 404."""
    conversation = store.find_conversation(session, conversation_id)
    if conversation is None:
        # The id is not logged, because it is whatever the client sent.
        logger.info("Rejected a request for a conversation id that was not issued")
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND_DETAIL)
    return conversation


ConversationDep = Annotated[ChatConversation, Depends(get_conversation)]


@router.post(
    "/conversations",
    status_code=status.HTTP_201_CREATED,
    response_model=ConversationCreated,
    responses=RATE_LIMITED_RESPONSE,
)
def start_conversation(
    request: Request,
    session: SessionDep,
    limits: LimitsDep,
    campaign: Campaign | None = None,
) -> ConversationCreated:
    """Issue a new conversation id and open its redacted log.

    The optional body carries the UTM fields of the page the widget sat on.
    """
    check_client_limit(request, limits)
    conversation = store.create_conversation(session)
    logger.info("Started conversation %s", conversation.conversation_id)
    reference = start_log(session, conversation.conversation_id, campaign)
    return ConversationCreated(
        conversation_id=conversation.conversation_id, reference=reference
    )


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=ChatReply,
    responses={**NOT_FOUND_RESPONSE, **TOO_LARGE_RESPONSE, **RATE_LIMITED_RESPONSE},
)
async def post_message(
    request: Request,
    conversation_id: str,
    message: MessageIn,
    session: SessionDep,
    rasa: RasaDep,
    wording: WordingDep,
    limits: LimitsDep,
) -> ChatReply:
    """Send a visitor turn to the assistant and return its reply.

    Turns that are empty, too long, only symbols, or Rasa commands, and button
    presses that the last reply did not offer, get a reply from
    `content/gateway.yml` and are not sent to Rasa. If Rasa fails, the reply is
    the fallback with emergency and support contacts. A client address or a
    conversation over its rate limit gets 429 with a `Retry-After` header.
    """
    # One hand-over to the thread pool does all the work before Rasa: each one
    # adds to the turn.
    conversation, metadata = await run_in_threadpool(
        _open_turn, request, session, conversation_id, limits
    )
    offered_before = store.offered_buttons(conversation)

    if message.payload is not None:
        outcome = await answer_button(
            conversation_id,
            message.payload,
            offered_before,
            rasa,
            wording,
            metadata=metadata,
        )
    else:
        outcome = await answer_text(
            conversation_id,
            message.text,
            rasa,
            wording,
            settings.max_message_chars,
            metadata=metadata,
        )

    if outcome.delete_conversation:
        await _delete_everywhere(conversation, session, rasa)
        await run_in_threadpool(limits.per_conversation.forget, conversation_id)
        return outcome.reply.model_copy(update={"conversation_deleted": True})

    await run_in_threadpool(
        _record_outcome, session, conversation, outcome.offered, outcome.reply
    )
    return outcome.reply


def _open_turn(
    request: Request, session: Session, conversation_id: str, limits: GatewayLimits
) -> tuple[ChatConversation, dict[str, Any]]:
    """Load the conversation, check the rate limits and build the turn's metadata.

    Raises 404 for an id that was not issued and `RateLimited` over a limit;
    the request's session then closes and gives its connection back. The
    limiters may call Redis. No database connection is held after a normal
    return, because the gateway then waits for Rasa.
    """
    conversation = _issued_conversation(session, conversation_id)
    _check_limits(request, conversation_id, limits)
    metadata = _message_metadata(session, conversation_id)
    store.release_connection(session)
    return conversation, metadata


def _message_metadata(session: Session, conversation_id: str) -> dict[str, Any]:
    """Return the metadata sent to Rasa with each message of the conversation.

    `erasure_reference` is the reference the visitor can quote to staff, so
    that `action_give_erasure_reference` can tell it in the chat. It is
    missing when the conversation has no log.
    """
    reference = find_reference(session, conversation_id)
    return {"erasure_reference": reference} if reference else {}


def _check_limits(
    request: Request, conversation_id: str, limits: GatewayLimits
) -> None:
    """Raise `RateLimited` when the client address or the conversation is over
    its limit."""
    check_client_limit(request, limits)
    check_conversation_limit(conversation_id, limits)


def _record_outcome(
    session: Session,
    conversation: ChatConversation,
    offered: list[Button] | None,
    reply: ChatReply,
) -> None:
    """Store the turn's offered buttons, and count it if Rasa did not reply.

    A database error is logged and not raised: Rasa has already taken the
    turn, so the visitor gets its reply rather than a fallback that the widget
    would offer to send again.
    """
    if reply.assistant_unavailable:
        count_unanswered_turn(session, conversation.conversation_id)
    try:
        store.record_turn(session, conversation, offered)
    except SQLAlchemyError as exc:
        session.rollback()
        logger.error(
            "Could not record the turn of conversation %s: %s",
            conversation.conversation_id,
            type(exc).__name__,
        )


@router.delete(
    "/conversations/{conversation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=DELETE_RESPONSES,
)
async def delete_conversation(
    conversation: ConversationDep,
    session: SessionDep,
    rasa: RasaDep,
    limits: LimitsDep,
) -> Response:
    """Clear the conversation's tracker in Rasa, then delete its row.

    If Rasa fails, the row is kept so that the request can be repeated.
    Deletion has no rate limit, so that leaving the page always works.
    """
    await _delete_everywhere(conversation, session, rasa)
    await run_in_threadpool(
        limits.per_conversation.forget, conversation.conversation_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/conversations/{conversation_id}/delete",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=DELETE_RESPONSES,
)
async def delete_conversation_by_beacon(
    conversation: ConversationDep,
    session: SessionDep,
    rasa: RasaDep,
    limits: LimitsDep,
) -> Response:
    """Delete the conversation like `DELETE`, for `navigator.sendBeacon`.

    A beacon can only POST, and a POST without a body needs no CORS preflight,
    so the browser still sends it while the page is being replaced.
    """
    return await delete_conversation(conversation, session, rasa, limits)


async def _delete_everywhere(
    conversation: ChatConversation, session: Session, rasa: RasaClient
) -> None:
    """Delete the log, clear the tracker in Rasa, then delete the gateway's row.

    Raises:
        HTTPException: 503 when Rasa fails; the row is kept for a retry.
    """
    conversation_id = conversation.conversation_id
    try:
        await delete_everywhere(session, conversation_id, rasa)
    except RasaUnavailable as exc:
        logger.error(
            "Could not clear the Rasa tracker of conversation %s: %s",
            conversation_id,
            exc,
        )
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=(
                "The conversation could not be deleted because the assistant is "
                "not available. Try again in a few minutes."
            ),
        ) from exc
