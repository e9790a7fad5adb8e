"""Dependencies and query-string helpers shared by the reviewer pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.db.session import get_session
from directory.staff.auth import SignedIn, require_role, verify_csrf
from directory.staff.models import ADMIN, REVIEWER, StaffAccount

PREFIX = "/staff/reviews"
Reviewer = Annotated[SignedIn, Depends(require_role(REVIEWER))]
Admin = Annotated[SignedIn, Depends(require_role(ADMIN))]
Db = Annotated[Session, Depends(get_session)]
CSRF = [Depends(verify_csrf)]


def parse_day(
    value: str | None, field: str, label: str, errors: dict[str, str]
) -> date | None:
    """Read a YYYY-MM-DD date; record a message in `errors` when it is invalid."""
    if not value or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors[field] = f"Enter the {label} as a date such as 2026-12-04."
        return None


def staff_emails(db: Session) -> dict[str, str]:
    """Return the email address of every staff account, by account id."""
    rows = db.execute(select(StaffAccount.id, StaffAccount.email))
    return {str(account_id): email for account_id, email in rows}
