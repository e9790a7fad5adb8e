"""FastAPI application of the directory service (`uvicorn directory.app:app`)."""

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from directory.assessment.routes import router as assessment_router
from directory.db.session import get_session
from directory.db.unavailable import install_database_unavailable_handler
from directory.gateway.middleware import install_gateway_middleware
from directory.gateway.routes import router as gateway_router
from directory.logs.routes import router as logs_router
from directory.logs.tasks import log_tasks
from directory.openreferral.routes import install_openreferral_api
from directory.rasa_client import RasaConnections
from directory.review.routes import router as review_router
from directory.signposting.routes import router as signposting_router
from directory.staff.pages import install_staff_pages
from directory.web.routes import router as web_router

logger = logging.getLogger(__name__)

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# How long a thread holds Python's lock before another waiting thread gets it.
# Python's default is 5 ms. The event loop, which handles chat turns, then
# waits up to that long whenever a thread of the pool stores conversation
# events or queries the directory. 1 ms gives it the lock back sooner.
GIL_SWITCH_SECONDS = 0.001

health_router = APIRouter(tags=["health"])


@health_router.get("/health")
def health(session: Annotated[Session, Depends(get_session)]) -> JSONResponse:
    """Report whether the service can query its database."""
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        logger.exception("Health check failed: the database query failed")
        return JSONResponse(
            status_code=503, content={"status": "unavailable", "database": "error"}
        )
    return JSONResponse(content={"status": "ok", "database": "ok"})


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run the log tasks and hold open connections until the service stops.

    `app.state.rasa_connections` holds the connections to Rasa and the action
    servers that `get_rasa_client` hands to each request.
    """
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    connections = app.state.rasa_connections = RasaConnections()
    try:
        async with log_tasks(app):
            yield
    finally:
        await connections.close()
        # Test clients can run the lifespan of one app more than once at a time.
        if getattr(app.state, "rasa_connections", None) is connections:
            del app.state.rasa_connections


def configure_logging(level: int = logging.INFO) -> None:
    """Send log records to standard error with time, level and logger name."""
    logging.basicConfig(level=level, format=LOG_FORMAT)


def _include_parts(app: FastAPI) -> None:
    """Add the gateway middleware and the routers of the gateway, assessment
    and chat page."""
    install_gateway_middleware(app)

    for router in (gateway_router, assessment_router, web_router):
        app.include_router(router)


def create_app() -> FastAPI:
    """Build the FastAPI application with every router and the health check."""
    configure_logging()
    app = FastAPI(title="Speak Out Space directory service", lifespan=lifespan)
    app.include_router(health_router)
    app.include_router(signposting_router)
    install_openreferral_api(app)
    app.include_router(logs_router)
    _include_parts(app)
    install_staff_pages(app)
    app.include_router(review_router)
    install_database_unavailable_handler(app)
    return app


app = create_app()
