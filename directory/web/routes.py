"""Chat page: a stand-in for the embeddable widget, served at `/`."""

import logging
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from directory.settings import settings

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent
EXIT_URL = "https://www.bbc.co.uk/weather"

# The page loads its script and style from this origin only and sends no
# referrer, so the site that "Exit this page" opens cannot see where it came from.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}

templates = Jinja2Templates(directory=WEB_DIR / "templates")

router = APIRouter(include_in_schema=False)
router.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")


@router.get("/", response_class=HTMLResponse)
def chat_page(request: Request) -> HTMLResponse:
    """Render the chat page."""
    return templates.TemplateResponse(
        request,
        "chat.html",
        {"exit_url": EXIT_URL, "max_message_chars": settings.max_message_chars},
        headers=PAGE_HEADERS,
    )
