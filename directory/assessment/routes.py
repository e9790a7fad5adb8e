"""Assessment API: read one message with the NLU and signpost the situation."""

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from sqlalchemy.orm import Session

from directory.assessment.mapping import ParsedMessage, map_parse_result
from directory.assessment.schemas import AssessRequest, AssessResponse
from directory.db.session import get_session
from directory.gateway.schemas import ErrorDetail
from directory.gateway.text import TextVerdict, check_text, clean_text
from directory.rasa_client import RasaClient, RasaUnavailable, get_rasa_client
from directory.settings import settings
from directory.signposting.engine import signpost
from directory.signposting.schemas import SignpostResult, Situation

logger = logging.getLogger(__name__)

SessionDep = Annotated[Session, Depends(get_session)]
RasaDep = Annotated[RasaClient, Depends(get_rasa_client)]

NOTHING_DESCRIBED = SignpostResult(likely=None, explanation=[], routes=[], notes=[])

router = APIRouter(prefix="/api", tags=["assessment"])


def invalid_text_detail(verdict: TextVerdict, max_chars: int) -> str:
    """Return the 422 message for text that is not sent to the NLU."""
    details = {
        TextVerdict.EMPTY: "The text is empty. Send the description of what happened.",
        TextVerdict.TOO_LONG: (
            f"The text is longer than {max_chars} characters. "
            "Shorten it or assess it in parts."
        ),
        TextVerdict.COMMAND: (
            "The text starts with '/', which Rasa reads as a command. "
            "Send the description as plain text."
        ),
        TextVerdict.NO_WORDS: (
            "The text contains no letters or digits. Send a description in words."
        ),
    }
    return details[verdict]


def invalid_text_error(verdict: TextVerdict, max_chars: int) -> RequestValidationError:
    """Build a 422 error in FastAPI's validation format, without the input text."""
    error = {
        "type": f"text_{verdict.value}",
        "loc": ("body", "text"),
        "msg": invalid_text_detail(verdict, max_chars),
    }
    return RequestValidationError([error])


def to_situation(parsed: ParsedMessage) -> Situation:
    """Build the signposting input from the labels found in the message."""
    return Situation.model_validate(
        {
            "characteristics": parsed.characteristics,
            "faiths": parsed.faiths,
            "incident_types": parsed.incident_types,
            "area": parsed.area,
            "urgent": parsed.urgent,
            "self_harm": parsed.self_harm,
            "under_18": parsed.under_18,
            "wants_anonymous": parsed.wants_anonymous,
            "avoid_police": parsed.avoid_police,
            "role": parsed.role,
            "low_severity": parsed.low_severity,
            "hate_denied": parsed.hate_denied,
        }
    )


@router.post(
    "/assess",
    response_model=AssessResponse,
    responses={503: {"model": ErrorDetail, "description": "Rasa is not available."}},
)
async def assess(
    body: AssessRequest, session: SessionDep, rasa: RasaDep
) -> AssessResponse:
    """Read the labels of one message with the NLU and signpost the situation.

    Text that is empty, too long, a Rasa command or without any letter or digit
    is rejected with 422, in the format of FastAPI's validation errors. Messages
    that describe nothing (greetings, questions) get `likely` null and no
    routes, without calling the signposting engine.
    """
    max_chars = settings.max_message_chars
    cleaned = clean_text(body.text)
    verdict = check_text(cleaned, max_chars)
    if verdict is not TextVerdict.OK:
        raise invalid_text_error(verdict, max_chars)

    try:
        parse_result = await rasa.parse(cleaned.strip())
    except RasaUnavailable as exc:
        logger.error("Could not assess a message because Rasa failed: %s", exc)
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=(
                "The language service is not available, so the text could not be "
                "assessed. Try again in a few minutes."
            ),
        ) from exc

    parsed = map_parse_result(parse_result)
    if not parsed.describes_situation():
        return build_response(parsed, NOTHING_DESCRIBED)

    # The engine queries the database synchronously, so it runs in a worker
    # thread to keep the event loop free.
    result = await run_in_threadpool(signpost, session, to_situation(parsed))
    return build_response(parsed, result)


def build_response(parsed: ParsedMessage, result: SignpostResult) -> AssessResponse:
    """Combine the message labels and the signposting result."""
    return AssessResponse.model_validate(
        {
            "intent": parsed.intent,
            "intent_confidence": parsed.intent_confidence,
            "characteristics": parsed.characteristics,
            "faiths": parsed.faiths,
            "incident_types": parsed.incident_types,
            "urgent": parsed.urgent,
            "self_harm": parsed.self_harm,
            "area": parsed.area,
            "needs_town": parsed.needs_town,
            "postcode_district": parsed.postcode_district,
            "likely": result.likely,
            "role": parsed.role,
            "under_18": parsed.under_18,
            "routes": result.routes,
            "explanation": result.explanation,
            "notes": result.notes,
        }
    )
