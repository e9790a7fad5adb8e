"""Responses to requests that fail because the database cannot be reached.

The chat still gives the key routes, staff pages explain plainly what happened, and
every other endpoint returns 503 with a JSON detail. Each request's session
rolls back its transaction when the request fails, so nothing half-written is
kept.
"""

import logging
import re

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from directory.gateway.content import get_wording
from directory.gateway.service import fallback_reply
from directory.staff.pages import database_unavailable_page

logger = logging.getLogger(__name__)

# Errors of a connection that failed or could not be opened, as opposed to a
# query that the database refused.
DATABASE_UNREACHABLE = (OperationalError, InterfaceError, PoolTimeoutError)
RETRY_AFTER_SECONDS = "30"
CHAT_MESSAGE_PATH = re.compile(r"^/api/chat/conversations/[^/]+/messages$")


async def database_unavailable(request: Request, exc: Exception) -> Response:
    """Return the response to a request whose database connection failed.

    The log line names the error class only: a driver's message can quote the
    statement's parameters.
    """
    route_path = getattr(request.scope.get("route"), "path", "an unmatched path")
    logger.error(
        "Database unreachable during %s %s: %s",
        request.method,
        route_path,
        type(getattr(exc, "orig", None) or exc).__name__,
    )
    path = request.url.path
    if request.method == "POST" and CHAT_MESSAGE_PATH.match(path):
        # The conversation cannot be looked up, so the visitor gets the same
        # key routes as when the assistant is down.
        reply = fallback_reply(get_wording())
        return JSONResponse(reply.model_dump())
    if path == "/staff" or path.startswith("/staff/"):
        return database_unavailable_page(request)
    return JSONResponse(
        status_code=503,
        content={
            "detail": "The database is not available. Try again in a few minutes."
        },
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def install_database_unavailable_handler(app: FastAPI) -> None:
    """Register the responses above for failed database connections."""
    for error in DATABASE_UNREACHABLE:
        app.add_exception_handler(error, database_unavailable)
