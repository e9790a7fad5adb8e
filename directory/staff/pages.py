"""Rendering of the staff pages and of the pages shown when access is rejected."""

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from directory.staff.auth import (
    CSRF_FIELD,
    CsrfRefused,
    NotSignedIn,
    RoleRefused,
    SignedIn,
)
from directory.staff.forms import (
    DAY_LABELS,
    FIELD_LABELS,
    PHONE_TYPES,
    STATUS_LABELS,
    TAXONOMY_LABELS,
)

logger = logging.getLogger(__name__)

STAFF_DIR = Path(__file__).resolve().parent

# Staff pages load nothing from elsewhere, run no script, cannot be framed and
# are never cached, because they show who changed what.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}

templates = Jinja2Templates(directory=STAFF_DIR / "templates")
templates.env.globals.update(
    csrf_field=CSRF_FIELD,
    day_labels=DAY_LABELS,
    field_labels=FIELD_LABELS,
    phone_types=PHONE_TYPES,
    status_labels=STATUS_LABELS,
    taxonomy_labels=TAXONOMY_LABELS,
)


def render(
    request: Request,
    template: str,
    staff: SignedIn | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a staff page with the signed-in account and the security headers."""
    context.setdefault("errors", {})
    response = templates.TemplateResponse(
        request,
        template,
        {"staff": staff, **context},
        status_code=status_code,
        headers=PAGE_HEADERS,
    )
    return response


def see_other(path: str) -> RedirectResponse:
    """Redirect after a form post, so that reloading does not post again."""
    return RedirectResponse(path, status_code=303, headers=PAGE_HEADERS)


def _refused(request: Request, title: str, message: str, status: int) -> Response:
    return render(request, "refused.html", None, status, title=title, message=message)


async def _not_signed_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotSignedIn)
    if request.method != "GET":
        return _refused(
            request,
            "Sign in again",
            "You are not signed in, or your session has ended, so the form was "
            "not saved. Sign in and try again.",
            401,
        )
    return see_other(f"/staff/sign-in?next={quote(exc.next_path)}")


async def _role_refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RoleRefused)
    return _refused(
        request,
        "You cannot use this page",
        f"This page is for staff with the {' or '.join(exc.roles)} role. Ask an "
        "admin if you need it.",
        403,
    )


async def _csrf_refused(request: Request, exc: Exception) -> Response:
    return _refused(
        request,
        "The form could not be sent",
        "The form was not sent from this site's current page, or it was open for "
        "too long, so nothing was saved. Go back, reload the page and try again.",
        403,
    )


def database_unavailable_page(request: Request) -> Response:
    """Render the page shown when the database cannot be reached (HTTP 503)."""
    response = _refused(
        request,
        "The directory is not available",
        "The database cannot be reached right now, so nothing was shown or "
        "saved. Nothing you sent has been changed. Try again in a few minutes; "
        "if it goes on, tell the service's technical team.",
        503,
    )
    response.headers["Retry-After"] = "30"
    return response


def install_staff_pages(app: FastAPI) -> None:
    """Add the staff routers, their style sheet and the refusal pages to an app."""
    from directory.staff.routes import routers

    app.mount(
        "/staff/static",
        StaticFiles(directory=STAFF_DIR / "static"),
        name="staff-static",
    )
    for router in routers:
        app.include_router(router)
    app.add_exception_handler(NotSignedIn, _not_signed_in)
    app.add_exception_handler(RoleRefused, _role_refused)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
