"""Staff sign-in, lockout, sessions and the FastAPI dependencies that guard pages.

Other staff pages use `CurrentStaff`, `require_role(...)` and `verify_csrf`:

    @router.get("/staff/logs")
    def logs(staff: Annotated[SignedIn, Depends(require_role(REVIEWER))]) -> ...

    @router.post("/staff/logs/x", dependencies=[Depends(verify_csrf)])

An admin passes every role check.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from directory.db.session import get_session
from directory.settings import settings
from directory.staff import security
from directory.staff.models import ADMIN, StaffAccount, StaffSession

logger = logging.getLogger(__name__)

SESSION_COOKIE = "sos_staff_session"
# Holds the form token of the sign-in page, before there is a session.
SIGN_IN_CSRF_COOKIE = "sos_staff_csrf"
COOKIE_PATH = "/staff"
CSRF_FIELD = "csrf_token"

WRONG_DETAILS = "The email address or password is incorrect."


class StaffAccessError(Exception):
    """A rejected request to a staff page, which the app turns into an error page."""


class NotSignedIn(StaffAccessError):
    """The request has no valid session cookie."""

    def __init__(self, next_path: str) -> None:
        super().__init__("Sign in to see this page.")
        self.next_path = next_path


class RoleRefused(StaffAccessError):
    """The signed-in account lacks the role the page needs."""

    def __init__(self, roles: tuple[str, ...]) -> None:
        super().__init__(f"This page needs the role {' or '.join(roles)}.")
        self.roles = roles


class CsrfRefused(StaffAccessError):
    """A form was posted without the form token of the session."""


@dataclass(frozen=True)
class SignedIn:
    """The signed-in account and its session."""

    account: StaffAccount
    session: StaffSession

    @property
    def email(self) -> str:
        """Email address of the account, used as `updated_by` in the audit trail."""
        return self.account.email

    @property
    def csrf_token(self) -> str:
        """Token that every form of this session must post back."""
        return self.session.csrf_token

    def has_role(self, *roles: str) -> bool:
        """Return whether the account has one of the roles (admins have all)."""
        return self.account.role == ADMIN or self.account.role in roles


@dataclass(frozen=True)
class SignInResult:
    """Outcome of a sign-in attempt: a session token, or a message to show."""

    token: str | None = None
    error: str | None = None


def utc(moment: datetime) -> datetime:
    """Return a datetime in UTC, because SQLite returns naive datetimes."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def normalise_email(email: str) -> str:
    """Return an email address trimmed and in lower case."""
    return email.strip().lower()


def find_account(db: Session, email: str) -> StaffAccount | None:
    """Return the account with this email address, ignoring case."""
    return db.scalar(
        select(StaffAccount).where(
            func.lower(StaffAccount.email) == normalise_email(email)
        )
    )


def locked_message(locked_until: datetime, now: datetime) -> str:
    """Tell a locked-out person when they can try again."""
    minutes = max(1, int((utc(locked_until) - now).total_seconds() // 60) + 1)
    return (
        f"This account is locked after {settings.staff_max_failed_sign_ins} failed "
        f"sign-ins in a row. Try again after {utc(locked_until):%H:%M} UTC (in "
        f"about {minutes} minutes), or ask an admin to unlock it."
    )


def sign_in(
    db: Session, email: str, password: str, now: datetime | None = None
) -> SignInResult:
    """Check the email and password, apply the lockout and open a session."""
    now = now or datetime.now(UTC)
    account = find_account(db, email)
    if account is None:
        security.spend_verification_time(password)
        logger.info("Sign-in rejected: no account has the email address given")
        return SignInResult(error=WRONG_DETAILS)

    # A wrong password gets the same answer whether the account exists or is
    # locked, so that the page does not tell anyone which addresses have
    # accounts. Only the right password shows the lock.
    password_matches = security.verify_password(account.password_hash, password)
    if account.locked_until is not None and utc(account.locked_until) > now:
        logger.info("Sign-in rejected: account %s is locked", account.id)
        if not password_matches:
            return SignInResult(error=WRONG_DETAILS)
        return SignInResult(error=locked_message(account.locked_until, now))

    if not password_matches:
        return _record_failure(db, account, now)

    if not account.active:
        logger.info("Sign-in rejected: account %s is switched off", account.id)
        return SignInResult(
            error="This account is switched off. Ask an admin to switch it back on."
        )

    if security.needs_rehash(account.password_hash):
        account.password_hash = security.hash_password(password)
    account.failed_sign_ins = 0
    account.locked_until = None
    account.last_sign_in_at = now
    token = open_session(db, account, now)
    db.commit()
    logger.info("Account %s signed in", account.id)
    return SignInResult(token=token)


def _record_failure(db: Session, account: StaffAccount, now: datetime) -> SignInResult:
    """Count a wrong password and lock the account when the limit is reached."""
    account.failed_sign_ins += 1
    if account.failed_sign_ins < settings.staff_max_failed_sign_ins:
        db.commit()
        logger.info(
            "Sign-in rejected: wrong password for account %s (%d in a row)",
            account.id,
            account.failed_sign_ins,
        )
        return SignInResult(error=WRONG_DETAILS)

    account.failed_sign_ins = 0
    account.locked_until = now + timedelta(minutes=settings.staff_lockout_minutes)
    db.commit()
    logger.warning(
        "Account %s locked for %d minutes after %d failed sign-ins",
        account.id,
        settings.staff_lockout_minutes,
        settings.staff_max_failed_sign_ins,
    )
    return SignInResult(error=WRONG_DETAILS)


def open_session(db: Session, account: StaffAccount, now: datetime) -> str:
    """Store a new session for the account and return its cookie token."""
    db.execute(
        delete(StaffSession).where(
            StaffSession.account_id == account.id, StaffSession.expires_at < now
        )
    )
    token = security.new_token()
    db.add(
        StaffSession(
            id=security.token_digest(token),
            account_id=account.id,
            csrf_token=security.new_token(),
            created_at=now,
            expires_at=now + timedelta(hours=settings.staff_session_hours),
        )
    )
    return token


def close_session(db: Session, token: str | None) -> None:
    """Delete the session of a cookie token, if there is one."""
    if token:
        db.execute(
            delete(StaffSession).where(StaffSession.id == security.token_digest(token))
        )
        db.commit()


def set_session_cookie(response: Response, token: str) -> None:
    """Send the session cookie: HttpOnly, SameSite, Secure outside development."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.staff_session_hours * 3600,
        path=COOKIE_PATH,
        httponly=True,
        secure=cookies_secure(),
        samesite="lax",
    )


def clear_session_cookie(response: Response) -> None:
    """Tell the browser to drop the session cookie."""
    response.delete_cookie(
        SESSION_COOKIE,
        path=COOKIE_PATH,
        httponly=True,
        secure=cookies_secure(),
        samesite="lax",
    )


def cookies_secure() -> bool:
    """Return whether cookies are sent over HTTPS only (everywhere but development)."""
    return settings.environment != "development"


def _signed_in(request: Request, db: Session) -> SignedIn | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    stored = db.get(StaffSession, security.token_digest(token))
    if stored is None:
        return None
    if utc(stored.expires_at) <= datetime.now(UTC) or not stored.account.active:
        return None
    return SignedIn(account=stored.account, session=stored)


def current_staff(
    request: Request, db: Annotated[Session, Depends(get_session)]
) -> SignedIn:
    """Return the signed-in account, or send the browser to the sign-in page."""
    signed_in = _signed_in(request, db)
    if signed_in is None:
        raise NotSignedIn(next_path=request.url.path)
    return signed_in


def optional_staff(
    request: Request, db: Annotated[Session, Depends(get_session)]
) -> SignedIn | None:
    """Return the signed-in account, or None when nobody is signed in."""
    return _signed_in(request, db)


CurrentStaff = Annotated[SignedIn, Depends(current_staff)]


def require_role(*roles: str) -> Callable[[SignedIn], SignedIn]:
    """Return a dependency that allows accounts with one of the roles, or admins."""

    def dependency(staff: CurrentStaff) -> SignedIn:
        if not staff.has_role(*roles):
            logger.info(
                "Account %s with role %s rejected from a page for %s",
                staff.account.id,
                staff.account.role,
                ", ".join(roles),
            )
            raise RoleRefused(roles)
        return staff

    return dependency


async def verify_csrf(request: Request, staff: CurrentStaff) -> None:
    """Reject a form post whose form token is missing or not the session's."""
    form = await request.form()
    given = form.get(CSRF_FIELD)
    if not isinstance(given, str) or not security.tokens_match(staff.csrf_token, given):
        logger.warning(
            "Rejected a form post to %s without a valid form token (account %s)",
            request.url.path,
            staff.account.id,
        )
        raise CsrfRefused("The form token is missing or does not match.")
