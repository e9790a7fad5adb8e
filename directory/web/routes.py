"""Demonstration page at `/` and the chat widget's files at `/widget/`.

The page looks like a page of the Speak Out Space site and embeds the widget
with one script tag, as the real site does, so that it can be tried with
`make run`.
"""

import logging
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from directory.settings import REPO_ROOT, settings

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent
WIDGET_DIR = REPO_ROOT / "widget"

# The files a page needs to run the widget. Everything else in widget/ (the
# package files and node_modules of the tests) is not served.
WIDGET_FILES = {
    "widget.js": "text/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
    "summary.css": "text/css; charset=utf-8",
}

# Other sites embed the widget, so its files may be loaded from any origin.
# `no-cache` makes browsers revalidate, so a fix reaches visitors at once.
WIDGET_HEADERS = {
    "Cache-Control": "no-cache",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "X-Content-Type-Options": "nosniff",
}

# The page loads its scripts and styles from this origin only and sends no
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
def demo_page(request: Request) -> HTMLResponse:
    """Render the demonstration page of the site with the chat widget on it."""
    return templates.TemplateResponse(
        request,
        "index.html",
        {"exit_url": settings.demo_page_exit_url},
        headers=PAGE_HEADERS,
    )


@router.get("/widget/{name}")
def widget_file(name: str) -> FileResponse:
    """Serve one of the widget's files, or 404 for any other name."""
    media_type = WIDGET_FILES.get(name)
    if media_type is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=f"No widget file is called {name!r}.",
        )
    return FileResponse(
        WIDGET_DIR / name, media_type=media_type, headers=WIDGET_HEADERS
    )
