"""Roles: admins manage accounts, editors edit the directory, reviewers read logs."""

from collections.abc import Callable

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory.staff.auth import SignedIn, require_role
from directory.staff.models import ADMIN, EDITOR, REVIEWER, StaffAccount
from tests.directory.staff.conftest import edit_form

NEW_ACCOUNT = "nadia.new@example.org.uk"


def _create_account(client: TestClient, token: str) -> int:
    response = client.post(
        "/staff/accounts/new",
        data={
            "csrf_token": token,
            "email": NEW_ACCOUNT,
            "role": EDITOR,
            "password": "a long enough password",
        },
        follow_redirects=False,
    )
    return response.status_code


def _account_exists(session_factory: sessionmaker[Session]) -> bool:
    with session_factory() as db:
        found = db.scalar(select(StaffAccount).where(StaffAccount.email == NEW_ACCOUNT))
    return found is not None


def test_admin_creates_account(
    client: TestClient,
    signed_in: Callable[[str], str],
    session_factory: sessionmaker[Session],
) -> None:
    token = signed_in(ADMIN)

    assert _create_account(client, token) == 303
    assert _account_exists(session_factory)
    assert NEW_ACCOUNT in client.get("/staff/accounts").text


def test_editor_cannot_manage_accounts(
    client: TestClient,
    signed_in: Callable[[str], str],
    session_factory: sessionmaker[Session],
) -> None:
    token = signed_in(EDITOR)

    assert client.get("/staff/accounts").status_code == 403
    assert _create_account(client, token) == 403
    assert not _account_exists(session_factory)


def test_reviewer_cannot_edit_services(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    token = signed_in(REVIEWER)

    page = client.get("/staff/services/stop-hate-uk/edit")
    publish = client.post(
        "/staff/services/stop-hate-uk/publish", data={"csrf_token": token}
    )
    edit = client.post(
        "/staff/services/stop-hate-uk/edit",
        data={"csrf_token": token, "name": "Changed by a reviewer"},
    )

    assert page.status_code == 403
    assert "editor" in page.text
    assert publish.status_code == 403
    assert edit.status_code == 403


def test_reviewer_sees_reviews_page(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    signed_in(REVIEWER)

    page = client.get("/staff/reviews")

    assert page.status_code == 200
    assert "Conversation logs" in page.text
    assert "/staff/accounts" not in page.text


def test_editor_cannot_read_reviews(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    signed_in(EDITOR)

    assert client.get("/staff/reviews").status_code == 403


def test_admin_can_edit_services(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    signed_in(ADMIN)

    assert "phone-0-number" in edit_form(client, "stop-hate-uk")


def test_admin_cannot_demote_self(
    client: TestClient,
    signed_in: Callable[[str], str],
    session_factory: sessionmaker[Session],
    accounts: dict[str, str],
) -> None:
    token = signed_in(ADMIN)
    with session_factory() as db:
        admin = db.scalar(
            select(StaffAccount).where(StaffAccount.email == accounts[ADMIN])
        )
    assert admin is not None

    response = client.post(
        f"/staff/accounts/{admin.id}",
        data={"csrf_token": token, "role": EDITOR, "active": "yes"},
    )

    assert response.status_code == 400
    assert "cannot change your own role" in response.text


def test_switched_off_account_signed_out(
    client: TestClient,
    signed_in: Callable[[str], str],
    session_factory: sessionmaker[Session],
    accounts: dict[str, str],
) -> None:
    token = signed_in(ADMIN)
    with session_factory() as db:
        editor = db.scalar(
            select(StaffAccount).where(StaffAccount.email == accounts[EDITOR])
        )
    assert editor is not None

    response = client.post(
        f"/staff/accounts/{editor.id}",
        data={"csrf_token": token, "role": EDITOR},
        follow_redirects=False,
    )

    assert response.status_code == 303
    with session_factory() as db:
        changed = db.get(StaffAccount, editor.id)
        assert changed is not None
        assert changed.active is False


@pytest.mark.parametrize(
    ("role", "expected"), [(REVIEWER, 200), (ADMIN, 200), (EDITOR, 403)]
)
def test_require_role_dependency(
    client: TestClient,
    signed_in: Callable[[str], str],
    role: str,
    expected: int,
) -> None:
    app = client.app
    assert isinstance(app, FastAPI)

    @app.get("/staff/test-reviewer-only")
    def reviewer_only(
        staff: SignedIn = Depends(require_role(REVIEWER)),  # noqa: B008
    ) -> dict[str, str]:
        return {"email": staff.email}

    signed_in(role)

    assert client.get("/staff/test-reviewer-only").status_code == expected
