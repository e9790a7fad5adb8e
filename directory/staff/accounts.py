"""Creating and changing staff accounts, shared by the admin pages and the CLI."""

import logging
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.staff import security, workflow
from directory.staff.auth import find_account, normalise_email
from directory.staff.models import ROLES, StaffAccount
from directory.staff.validation import email_error

logger = logging.getLogger(__name__)

ACCOUNT_ENTITY = "staff_account"


class AccountError(Exception):
    """An invalid value for an account, with the field and the reason."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def create_account(
    db: Session, email: str, password: str, role: str, by: str
) -> StaffAccount:
    """Create an account with a hashed password. The caller commits."""
    email = normalise_email(email)
    problem = email_error(email) if email else "Enter an email address."
    if problem:
        raise AccountError("email", problem)
    if find_account(db, email) is not None:
        raise AccountError("email", f"An account for {email} already exists.")
    if role not in ROLES:
        raise AccountError("role", "Choose admin, editor or reviewer.")
    problem = security.password_problem(password)
    if problem:
        raise AccountError("password", problem)

    account = StaffAccount(
        email=email,
        password_hash=security.hash_password(password),
        role=role,
        active=True,
        failed_sign_ins=0,
        created_at=datetime.now(UTC),
    )
    db.add(account)
    db.flush()
    workflow.audit(db, account.id, ACCOUNT_ENTITY, "create", "role", "", role, by)
    logger.info("Created %s account %s", role, account.id)
    return account


def update_account(
    db: Session,
    account: StaffAccount,
    by: StaffAccount,
    role: str,
    active: bool,
    unlock: bool,
    new_password: str,
) -> None:
    """Change the role, switch on or off, unlock or set a password, then commit."""
    if role not in ROLES:
        raise AccountError("role", "Choose admin, editor or reviewer.")
    if account.id == by.id and (role != account.role or not active):
        raise AccountError(
            "role",
            "You cannot change your own role or switch off your own account. Ask "
            "another admin.",
        )
    if new_password:
        problem = security.password_problem(new_password)
        if problem:
            raise AccountError("new_password", problem)

    changes = []
    if role != account.role:
        changes.append(("role", account.role, role))
        account.role = role
    if active != account.active:
        changes.append(("active", str(account.active), str(active)))
        account.active = active
        if not active:
            account.sessions.clear()
    if unlock and (account.locked_until is not None or account.failed_sign_ins):
        changes.append(("locked_until", str(account.locked_until or ""), ""))
        account.locked_until = None
        account.failed_sign_ins = 0
    if new_password:
        # The audit trail records that the password changed, never the password.
        changes.append(("password", "", "changed"))
        account.password_hash = security.hash_password(new_password)
        account.sessions.clear()

    for field, previous, replacement in changes:
        workflow.audit(
            db,
            account.id,
            ACCOUNT_ENTITY,
            "update",
            field,
            previous,
            replacement,
            by.email,
        )
    db.commit()
    logger.info("Updated account %s (%d fields)", account.id, len(changes))


def all_accounts(db: Session) -> list[StaffAccount]:
    """Return every account, by email address."""
    return list(db.scalars(select(StaffAccount).order_by(StaffAccount.email)))
