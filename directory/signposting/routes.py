"""HTTP endpoint of the signposting engine."""

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from directory.db.session import get_session
from directory.signposting.content import ContentError
from directory.signposting.engine import signpost
from directory.signposting.recent import recent_results
from directory.signposting.schemas import SignpostResult, Situation

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["signposting"])


@router.post("/signpost")
def post_signpost(
    situation: Situation, session: Annotated[Session, Depends(get_session)]
) -> SignpostResult:
    """Return the reading, explanation, routes and notes for a situation."""
    try:
        result = signpost(session, situation)
    except ContentError as exc:
        logger.error("Signposting failed because of a content file: %s", exc)
        raise HTTPException(
            status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
            detail="Signposting content is invalid; the service log names the file.",
        ) from exc
    except SQLAlchemyError as exc:
        logger.exception("Signposting failed because the database query failed")
        raise HTTPException(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="The directory database is unavailable; try again shortly.",
        ) from exc

    recent_results.put(situation, result)
    return result
