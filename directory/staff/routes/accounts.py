"""Admin pages for staff accounts."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from directory.db.session import get_session
from directory.staff.accounts import (
    AccountError,
    all_accounts,
    create_account,
    update_account,
)
from directory.staff.auth import SignedIn, require_role, utc, verify_csrf
from directory.staff.models import ADMIN, ROLES, StaffAccount
from directory.staff.pages import render, see_other

router = APIRouter(prefix="/staff/accounts", include_in_schema=False)

Admin = Annotated[SignedIn, Depends(require_role(ADMIN))]
Db = Annotated[Session, Depends(get_session)]
CSRF = [Depends(verify_csrf)]


@router.get("", response_class=HTMLResponse)
def account_list(request: Request, staff: Admin, db: Db) -> HTMLResponse:
    """List every staff account with its role and state."""
    return render(
        request,
        "accounts.html",
        staff,
        accounts=all_accounts(db),
        now=datetime.now(UTC),
        utc=utc,
    )


@router.get("/new", response_class=HTMLResponse)
def new_account(request: Request, staff: Admin) -> HTMLResponse:
    """Show the form for a new account."""
    return render(request, "account_new.html", staff, values={}, roles=ROLES)


@router.post("/new", response_class=HTMLResponse, dependencies=CSRF)
def new_account_post(
    request: Request,
    staff: Admin,
    db: Db,
    email: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    """Create the account, or show the form again with the error."""
    try:
        create_account(db, email, password, role, staff.email)
    except AccountError as exc:
        db.rollback()
        return render(
            request,
            "account_new.html",
            staff,
            status_code=400,
            values={"email": email, "role": role},
            roles=ROLES,
            errors={exc.field: str(exc)},
        )
    db.commit()
    return see_other("/staff/accounts")


@router.get("/{account_id}", response_class=HTMLResponse)
def account_page(
    request: Request, staff: Admin, db: Db, account_id: str
) -> HTMLResponse:
    """Show the form that changes an account."""
    account = db.get(StaffAccount, account_id)
    if account is None:
        return _not_found(request, staff)
    return _account_form(request, staff, account)


@router.post("/{account_id}", response_class=HTMLResponse, dependencies=CSRF)
def account_post(
    request: Request,
    staff: Admin,
    db: Db,
    account_id: str,
    role: Annotated[str, Form()] = "",
    active: Annotated[str, Form()] = "",
    unlock: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
) -> Response:
    """Save the changes to an account, or show the error."""
    account = db.get(StaffAccount, account_id)
    if account is None:
        return _not_found(request, staff)
    try:
        update_account(
            db,
            account,
            staff.account,
            role=role,
            active=active == "yes",
            unlock=unlock == "yes",
            new_password=new_password,
        )
    except AccountError as exc:
        db.rollback()
        return _account_form(
            request, staff, account, errors={exc.field: str(exc)}, status_code=400
        )
    return see_other("/staff/accounts")


def _account_form(
    request: Request,
    staff: SignedIn,
    account: StaffAccount,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    locked = account.locked_until is not None and utc(account.locked_until) > (
        datetime.now(UTC)
    )
    return render(
        request,
        "account_edit.html",
        staff,
        status_code=status_code,
        account=account,
        locked=locked,
        roles=ROLES,
        errors=errors or {},
    )


def _not_found(request: Request, staff: SignedIn) -> HTMLResponse:
    return render(
        request,
        "refused.html",
        staff,
        status_code=404,
        title="Account not found",
        message="No staff account has this address. Go back to the list of accounts.",
        back="/staff/accounts",
    )
