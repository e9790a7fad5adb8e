"""The list of flagged turns, their check, and the NLU training data export."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory.logs.access import record_access
from directory.review.flags import FlagDecisionError, decide_flag
from directory.review.models import FLAG_STATUSES, FLAGGED, ReviewFlag
from directory.review.nlu_export import nlu_yaml, reviewed_examples
from directory.review.pages import render
from directory.review.routes.common import CSRF, PREFIX, Db, Reviewer, staff_emails
from directory.staff.pages import see_other

logger = logging.getLogger(__name__)

router = APIRouter(prefix=PREFIX, include_in_schema=False)

EXPORT_FILE_NAME = "reviewed_flags_nlu.yml"


@router.get("/flags", response_class=HTMLResponse)
def flag_list(
    request: Request, staff: Reviewer, db: Db, status: str = FLAGGED
) -> HTMLResponse:
    """List flags with one status, newest first, without the visitors' text."""
    if status not in FLAG_STATUSES:
        status = FLAGGED
    flags = db.scalars(
        select(ReviewFlag)
        .where(ReviewFlag.status == status)
        .options(selectinload(ReviewFlag.turn))
        .order_by(ReviewFlag.flagged_at.desc(), ReviewFlag.id.desc())
    )
    return render(
        request,
        "flags.html",
        staff,
        flags=list(flags),
        status=status,
        statuses=FLAG_STATUSES,
        emails=staff_emails(db),
        examples=len(reviewed_examples(db)),
    )


@router.post(
    "/flags/{flag_id}/decision", response_class=HTMLResponse, dependencies=CSRF
)
def flag_decision(
    request: Request,
    flag_id: int,
    staff: Reviewer,
    db: Db,
    decision: Annotated[str, Form()] = "",
) -> Response:
    """Mark a flag as reviewed (used for training) or rejected."""
    flag = db.get(ReviewFlag, flag_id)
    if flag is None:
        return render(
            request,
            "message.html",
            staff,
            status_code=404,
            title="Flag not found",
            message=(
                "This flag no longer exists. Its conversation may have been deleted."
            ),
            back_link=f"{PREFIX}/flags",
        )
    try:
        decide_flag(db, flag, decision, staff.account.id)
    except FlagDecisionError as exc:
        db.rollback()
        return render(
            request,
            "message.html",
            staff,
            status_code=409,
            title="The flag was not changed",
            message=str(exc),
            back_link=f"{PREFIX}/conversations/{flag.conversation_id}",
        )
    logger.info("Account %s marked flag %s %s", staff.account.id, flag.id, flag.status)
    return see_other(f"{PREFIX}/flags")


@router.get("/flags/nlu.yml")
def nlu_export(staff: Reviewer, db: Db) -> Response:
    """Download the reviewed flags as Rasa NLU training data.

    The file contains redacted visitor text, so each conversation in it gets
    an access record, as when its transcript is opened.
    """
    examples = reviewed_examples(db)
    for conversation_id in sorted({example.conversation_id for example in examples}):
        record_access(db, staff.account.id, conversation_id)
    logger.info(
        "Account %s exported %d reviewed examples as NLU training data",
        staff.account.id,
        len(examples),
    )
    return Response(
        nlu_yaml(examples),
        media_type="application/yaml; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{EXPORT_FILE_NAME}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
