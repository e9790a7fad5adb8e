"""Sign-in and sign-out pages."""

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from directory.db.session import get_session
from directory.staff import security
from directory.staff.auth import (
    COOKIE_PATH,
    SESSION_COOKIE,
    SIGN_IN_CSRF_COOKIE,
    CsrfRefused,
    CurrentStaff,
    SignedIn,
    clear_session_cookie,
    close_session,
    cookies_secure,
    optional_staff,
    set_session_cookie,
    sign_in,
    verify_csrf,
)
from directory.staff.pages import render, see_other

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/staff", include_in_schema=False)

HOME = "/staff"


def safe_next(next_path: str | None) -> str:
    """Return a path under /staff to go to after signing in, never another site."""
    if (
        next_path
        and next_path.startswith("/staff")
        and not next_path.startswith("//")
        and "\\" not in next_path
    ):
        return next_path
    return HOME


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(
    request: Request,
    staff: Annotated[SignedIn | None, Depends(optional_staff)],
    next: str = HOME,
) -> Response:
    """Show the sign-in form, with a new form token in a cookie."""
    if staff is not None:
        return see_other(safe_next(next))
    token = security.new_token()
    response = render(request, "sign_in.html", None, csrf_token=token, next=next)
    _set_sign_in_cookie(response, token)
    return response


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in_post(
    request: Request,
    db: Annotated[Session, Depends(get_session)],
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = HOME,
) -> Response:
    """Check the details, then open a session or show what went wrong."""
    expected = request.cookies.get(SIGN_IN_CSRF_COOKIE, "")
    if not expected or not security.tokens_match(expected, csrf_token):
        logger.warning("Rejected a sign-in post without a valid form token")
        raise CsrfRefused("The sign-in form token is missing or does not match.")

    errors = {}
    if not email.strip():
        errors["email"] = "Enter your email address."
    if not password:
        errors["password"] = "Enter your password."
    if not errors:
        result = sign_in(db, email, password)
        if result.token is not None:
            response = see_other(safe_next(next))
            set_session_cookie(response, result.token)
            response.delete_cookie(SIGN_IN_CSRF_COOKIE, path=COOKIE_PATH)
            return response
        errors["email"] = result.error or ""

    return render(
        request,
        "sign_in.html",
        None,
        status_code=400,
        csrf_token=expected,
        next=next,
        email=email.strip(),
        errors=errors,
    )


def _set_sign_in_cookie(response: Response, token: str) -> None:
    response.set_cookie(
        SIGN_IN_CSRF_COOKIE,
        token,
        path=COOKIE_PATH,
        httponly=True,
        secure=cookies_secure(),
        samesite="strict",
    )


@router.post(
    "/sign-out", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)]
)
def sign_out(
    request: Request,
    staff: CurrentStaff,
    db: Annotated[Session, Depends(get_session)],
) -> Response:
    """End the session and show the signed-out page."""
    close_session(db, request.cookies.get(SESSION_COOKIE))
    logger.info("Account %s signed out", staff.account.id)
    response = render(request, "signed_out.html", None)
    clear_session_cookie(response)
    return response
