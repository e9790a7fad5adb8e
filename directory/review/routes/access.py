"""The admins' list of transcript access records."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from directory.logs.access import list_access
from directory.logs.models import ConversationLog
from directory.review.conversations import day_start
from directory.review.pages import render
from directory.review.routes.common import PREFIX, Admin, Db, parse_day, staff_emails

router = APIRouter(prefix=PREFIX, include_in_schema=False)

ACCESS_LIMIT = 500


@router.get("/access", response_class=HTMLResponse)
def access_list(
    request: Request,
    staff: Admin,
    db: Db,
    account: str = "",
    conversation: str = "",
    since: str = "",
) -> HTMLResponse:
    """List who opened which transcript and when, newest first, with filters.

    `conversation` is a reference or a conversation id. The records outlive
    the logs, so a deleted conversation is found by its id only.
    """
    errors: dict[str, str] = {}
    since_day: date | None = parse_day(since, "since", "first date", errors)
    emails = staff_emails(db)
    if account and account not in emails:
        errors["account"] = "Choose a member of staff from the list."

    conversation_id: str | None = None
    if conversation.strip():
        requested = conversation.strip()
        conversation_id = (
            db.scalar(
                select(ConversationLog.conversation_id).where(
                    ConversationLog.reference == requested.upper().replace("-", "")
                )
            )
            or requested.lower()
        )

    records = []
    if not errors:
        records = list_access(
            db,
            staff_id=account or None,
            conversation_id=conversation_id,
            since=day_start(since_day) if since_day else None,
            limit=ACCESS_LIMIT,
        )
    rows = db.execute(
        select(ConversationLog.conversation_id, ConversationLog.reference).where(
            ConversationLog.conversation_id.in_(
                {record.conversation_id for record in records}
            )
        )
    )
    references = {conversation_id: reference for conversation_id, reference in rows}
    return render(
        request,
        "access.html",
        staff,
        status_code=400 if errors else 200,
        errors=errors,
        records=records,
        references=references,
        emails=emails,
        account=account,
        conversation=conversation,
        since=since,
        limit=ACCESS_LIMIT,
    )
