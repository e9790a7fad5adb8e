"""Routers of the reviewer pages, under /staff/reviews."""

from fastapi import APIRouter

from directory.review.routes.access import router as access_router
from directory.review.routes.conversations import router as conversations_router
from directory.review.routes.figures import router as figures_router
from directory.review.routes.flags import router as flags_router

router = APIRouter()
for part in (conversations_router, flags_router, figures_router, access_router):
    router.include_router(part)
