"""The conversation list, the transcript and the flag form of a turn."""

from __future__ import annotations

import logging
import math
from collections.abc import Collection
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from directory.logs.access import record_access
from directory.logs.models import ConversationLog, LogTurn
from directory.review.campaigns import CHANNELS_BY_CODE
from directory.review.conversations import (
    LOW_CONFIDENCE,
    ConversationFilter,
    filter_summaries,
    is_low_confidence,
    summarise,
)
from directory.review.flags import (
    LABEL_ROWS,
    FlagForm,
    check_turn_can_be_flagged,
    read_flag_form,
    save_flag,
)
from directory.review.models import ReviewFlag
from directory.review.nlu_export import (
    BUTTON_PRESS_REASON,
    domain_entities,
    is_button_press,
    trainable_intents,
)
from directory.review.pages import (
    READING_NAMES,
    area_names,
    characteristic_names,
    render,
)
from directory.review.routes.common import (
    CSRF,
    PREFIX,
    Db,
    Reviewer,
    parse_day,
    staff_emails,
)
from directory.staff.auth import SignedIn
from directory.staff.pages import see_other

logger = logging.getLogger(__name__)

router = APIRouter(prefix=PREFIX, include_in_schema=False)

PAGE_SIZE = 50
FILTER_FIELDS = ("from", "to", "characteristic", "area", "reading", "channel")


def read_filter(params: dict[str, str]) -> ConversationFilter:
    """Build the list's filter from the query string, noting invalid values."""
    conversation_filter = ConversationFilter()
    errors = conversation_filter.errors
    conversation_filter.started_from = parse_day(
        params.get("from"), "from", "first date", errors
    )
    conversation_filter.started_to = parse_day(
        params.get("to"), "to", "last date", errors
    )
    choices: dict[str, tuple[str, Collection[str]]] = {
        "characteristic": ("a characteristic", characteristic_names()),
        "area": ("an area", area_names()),
        "reading": ("a reading", READING_NAMES),
        "channel": ("a campaign source", CHANNELS_BY_CODE),
    }
    for name, (noun, allowed) in choices.items():
        value = params.get(name) or None
        if value is not None and value not in allowed:
            errors[name] = f"Choose {noun} from the list."
            value = None
        setattr(conversation_filter, name, value)
    conversation_filter.needs_review = params.get("needs_review") == "1"
    return conversation_filter


def page_number(value: str | None) -> int:
    """Return the requested page number, 1 when it is missing or invalid."""
    try:
        return max(1, int(value or "1"))
    except ValueError:
        return 1


@router.get("/conversations", response_class=HTMLResponse)
def conversation_list(request: Request, staff: Reviewer, db: Db) -> HTMLResponse:
    """List conversations, newest first, with filters and pages of 50."""
    params = dict(request.query_params)
    conversation_filter = read_filter(params)
    summaries = filter_summaries(db, conversation_filter)
    pages = max(1, math.ceil(len(summaries) / PAGE_SIZE))
    page = min(page_number(params.get("page")), pages)
    page_summaries = summaries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    filter_params = {
        key: params[key] for key in (*FILTER_FIELDS, "needs_review") if params.get(key)
    }

    def page_link(number: int) -> str:
        return f"{PREFIX}/conversations?{urlencode({**filter_params, 'page': number})}"

    return render(
        request,
        "conversations.html",
        staff,
        status_code=400 if conversation_filter.errors else 200,
        errors=conversation_filter.errors,
        params=params,
        summaries=page_summaries,
        total=len(summaries),
        page=page,
        pages=pages,
        previous_link=page_link(page - 1) if page > 1 else None,
        next_link=page_link(page + 1) if page < pages else None,
        low_confidence=LOW_CONFIDENCE,
    )


def _load_conversation(db: Session, conversation_id: str) -> ConversationLog | None:
    return db.scalar(
        select(ConversationLog)
        .where(ConversationLog.conversation_id == conversation_id)
        .options(selectinload(ConversationLog.turns))
    )


def _not_found(request: Request, staff: SignedIn) -> HTMLResponse:
    return render(
        request,
        "message.html",
        staff,
        status_code=404,
        title="Conversation not found",
        message=(
            "There is no log of this conversation. It may have been deleted at "
            "the visitor's request or after the retention period."
        ),
        back_link=f"{PREFIX}/conversations",
    )


def show_transcript(
    request: Request,
    staff: SignedIn,
    db: Session,
    conversation: ConversationLog,
    status_code: int = 200,
    form_turn_id: int | None = None,
    form: FlagForm | None = None,
) -> HTMLResponse:
    """Record the access, then render the transcript with its flag forms."""
    record_access(db, staff.account.id, conversation.conversation_id)
    logger.info(
        "Account %s opened the transcript of conversation %s",
        staff.account.id,
        conversation.conversation_id,
    )
    flags = {
        flag.turn_id: flag
        for flag in db.scalars(
            select(ReviewFlag).where(
                ReviewFlag.conversation_id == conversation.conversation_id
            )
        )
    }
    errors: dict[str, Any] = form.errors if form is not None else {}
    return render(
        request,
        "transcript.html",
        staff,
        status_code=status_code,
        errors=errors,
        conversation=conversation,
        summary=summarise(conversation),
        flags=flags,
        emails=staff_emails(db),
        intents=trainable_intents(),
        entities=domain_entities(),
        label_rows=range(LABEL_ROWS),
        form_turn_id=form_turn_id,
        form=form,
        is_low_confidence=is_low_confidence,
        is_button_press=is_button_press,
        button_press_reason=BUTTON_PRESS_REASON,
    )


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
def transcript(
    request: Request, conversation_id: str, staff: Reviewer, db: Db
) -> HTMLResponse:
    """Show the redacted transcript of one conversation, recording the access."""
    conversation = _load_conversation(db, conversation_id)
    if conversation is None:
        return _not_found(request, staff)
    return show_transcript(request, staff, db, conversation)


async def posted_fields(request: Request) -> dict[str, str]:
    """Return the text fields of a posted form, so the handler itself can be sync."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


@router.post(
    "/conversations/{conversation_id}/turns/{turn_id}/flag",
    response_class=HTMLResponse,
    dependencies=CSRF,
)
def flag_turn(
    request: Request,
    conversation_id: str,
    turn_id: int,
    staff: Reviewer,
    db: Db,
    posted: Annotated[dict[str, str], Depends(posted_fields)],
) -> Response:
    """Store the right intent and labels of a turn, or show the form's errors."""
    conversation = _load_conversation(db, conversation_id)
    turn = db.get(LogTurn, turn_id)
    if conversation is None or turn is None or turn.conversation_id != conversation_id:
        return _not_found(request, staff)

    checked = read_flag_form(posted)
    check_turn_can_be_flagged(turn, checked)
    if checked.errors:
        return show_transcript(
            request, staff, db, conversation, 400, form_turn_id=turn.id, form=checked
        )

    flag = save_flag(db, turn, checked, staff.account.id)
    logger.info(
        "Account %s flagged turn %s of conversation %s as %s (flag %s)",
        staff.account.id,
        turn.turn_number,
        conversation_id,
        flag.intent,
        flag.id,
    )
    return see_other(
        f"{PREFIX}/conversations/{conversation_id}#turn-{turn.turn_number}"
    )
