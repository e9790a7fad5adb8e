"""Sign-in, session cookies, form tokens and the lockout of staff accounts."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory.settings import settings
from directory.staff import auth
from directory.staff.models import EDITOR, ServiceDraft, StaffAccount
from tests.directory.staff.conftest import (
    PASSWORD,
    csrf_token,
    edit_form,
    sign_in,
)


def _attempt(client: TestClient, email: str, password: str) -> tuple[int, str]:
    page = client.get("/staff/sign-in")
    response = client.post(
        "/staff/sign-in",
        data={
            "email": email,
            "password": password,
            "csrf_token": csrf_token(page.text),
        },
        follow_redirects=False,
    )
    return response.status_code, response.text


def test_password_stored_as_argon2id(
    session_factory: sessionmaker[Session], accounts: dict[str, str]
) -> None:
    with session_factory() as db:
        account = db.scalars(select(StaffAccount)).first()

    assert account is not None
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash


def test_session_cookie_flags_in_development(
    client: TestClient, accounts: dict[str, str]
) -> None:
    page = client.get("/staff/sign-in")
    response = client.post(
        "/staff/sign-in",
        data={
            "email": accounts[EDITOR],
            "password": PASSWORD,
            "csrf_token": csrf_token(page.text),
        },
        follow_redirects=False,
    )
    cookie = next(
        value
        for value in response.headers.get_list("set-cookie")
        if value.startswith(auth.SESSION_COOKIE)
    )

    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_secure_outside_development(
    client: TestClient, accounts: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "environment", "production")
    # Browsers send Secure cookies back over HTTPS only.
    client.base_url = "https://testserver"
    page = client.get("/staff/sign-in")
    response = client.post(
        "/staff/sign-in",
        data={
            "email": accounts[EDITOR],
            "password": PASSWORD,
            "csrf_token": csrf_token(page.text),
        },
        follow_redirects=False,
    )
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith(auth.SESSION_COOKIE))

    assert "Secure" in session_cookie
    assert "HttpOnly" in session_cookie


def test_signed_out_visitor_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/staff/services", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/staff/sign-in?next=/staff/services"


def test_wrong_password_rejected(client: TestClient, accounts: dict[str, str]) -> None:
    status, page = _attempt(client, accounts[EDITOR], "not the password")

    assert status == 400
    assert auth.WRONG_DETAILS in page
    assert client.get("/staff/services", follow_redirects=False).status_code == 303


def test_unknown_email_rejected_alike(client: TestClient) -> None:
    status, page = _attempt(client, "nobody@example.org.uk", PASSWORD)

    assert status == 400
    assert auth.WRONG_DETAILS in page


def test_sign_out_ends_session(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    token = signed_in(EDITOR)
    response = client.post("/staff/sign-out", data={"csrf_token": token})

    assert response.status_code == 200
    assert client.get("/staff/services", follow_redirects=False).status_code == 303


def test_lockout_after_repeated_failures(
    client: TestClient, accounts: dict[str, str]
) -> None:
    for _ in range(settings.staff_max_failed_sign_ins - 1):
        status, page = _attempt(client, accounts[EDITOR], "not the password")
        assert auth.WRONG_DETAILS in page

    status, page = _attempt(client, accounts[EDITOR], "not the password")
    assert status == 400
    assert auth.WRONG_DETAILS in page

    status, page = _attempt(client, accounts[EDITOR], "not the password")
    assert auth.WRONG_DETAILS in page
    assert "locked" not in page

    status, page = _attempt(client, accounts[EDITOR], PASSWORD)
    assert status == 400
    assert "This account is locked" in page
    assert f"{settings.staff_lockout_minutes} minutes" in page


def test_lockout_is_per_account(client: TestClient, accounts: dict[str, str]) -> None:
    for _ in range(settings.staff_max_failed_sign_ins):
        _attempt(client, accounts[EDITOR], "not the password")

    sign_in(client, accounts["reviewer"])

    assert client.get("/staff/reviews").status_code == 200


def test_lockout_ends_after_duration(
    session_factory: sessionmaker[Session], accounts: dict[str, str]
) -> None:
    start = datetime.now(UTC)
    with session_factory() as db:
        for _ in range(settings.staff_max_failed_sign_ins):
            auth.sign_in(db, accounts[EDITOR], "not the password", now=start)

        during = start + timedelta(minutes=settings.staff_lockout_minutes - 1)
        after = start + timedelta(minutes=settings.staff_lockout_minutes + 1)
        locked = auth.sign_in(db, accounts[EDITOR], PASSWORD, now=during)
        unlocked = auth.sign_in(db, accounts[EDITOR], PASSWORD, now=after)

    assert locked.token is None
    assert locked.error is not None
    assert "locked" in locked.error
    assert unlocked.token is not None


def test_success_resets_failure_count(
    session_factory: sessionmaker[Session], accounts: dict[str, str]
) -> None:
    with session_factory() as db:
        for _ in range(settings.staff_max_failed_sign_ins - 1):
            auth.sign_in(db, accounts[EDITOR], "not the password")
        assert auth.sign_in(db, accounts[EDITOR], PASSWORD).token is not None
        result = auth.sign_in(db, accounts[EDITOR], "not the password")

    assert result.error == auth.WRONG_DETAILS


def test_sign_in_without_form_token_rejected(
    client: TestClient, accounts: dict[str, str]
) -> None:
    client.get("/staff/sign-in")
    response = client.post(
        "/staff/sign-in",
        data={"email": accounts[EDITOR], "password": PASSWORD},
        follow_redirects=False,
    )

    assert response.status_code == 403
    assert auth.SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_edit_without_form_token_rejected(
    client: TestClient,
    signed_in: Callable[[str], str],
    session_factory: sessionmaker[Session],
) -> None:
    signed_in(EDITOR)
    fields = edit_form(client, "stop-hate-uk")
    fields["name"] = "Renamed without a token"
    fields.pop("csrf_token")

    response = client.post("/staff/services/stop-hate-uk/edit", data=fields)

    assert response.status_code == 403
    assert "nothing was saved" in response.text
    with session_factory() as db:
        assert db.scalars(select(ServiceDraft)).first() is None


def test_edit_with_wrong_form_token_rejected(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    signed_in(EDITOR)
    fields = edit_form(client, "stop-hate-uk")
    fields["csrf_token"] = "a-token-from-another-session"

    response = client.post("/staff/services/stop-hate-uk/edit", data=fields)

    assert response.status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/staff/sign-out",
        "/staff/services/stop-hate-uk/publish",
        "/staff/services/stop-hate-uk/confirm",
        "/staff/services/stop-hate-uk/archive",
        "/staff/accounts/new",
    ],
)
def test_actions_without_form_token_rejected(
    client: TestClient, signed_in: Callable[[str], str], path: str
) -> None:
    signed_in("admin")

    response = client.post(path, data={}, follow_redirects=False)

    assert response.status_code == 403
