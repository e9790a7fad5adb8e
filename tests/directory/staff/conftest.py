"""Fixtures for the staff page tests: accounts of each role and signed-in clients.

The accounts and people are invented.
"""

import re
from collections.abc import Callable

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from directory.staff import security
from directory.staff.accounts import create_account
from directory.staff.models import ADMIN, EDITOR, REVIEWER

PASSWORD = "correct horse battery staple"
ADMIN_EMAIL = "ada.admin@example.org.uk"
EDITOR_EMAIL = "eddie.editor@example.org.uk"
REVIEWER_EMAIL = "rita.reviewer@example.org.uk"

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash with Argon2id at its lowest cost, so that each sign-in takes
    milliseconds instead of a large share of a second on a loaded machine. The
    hashing code is unchanged; only its cost parameters differ."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(security, "_hasher", cheap)
    monkeypatch.setattr(
        security, "_UNKNOWN_ACCOUNT_HASH", cheap.hash("an unknown account")
    )


def csrf_token(html: str) -> str:
    """Return the form token in a page."""
    match = _CSRF.search(html)
    assert match is not None, "the page has no form token"
    return match.group(1)


@pytest.fixture
def accounts(session_factory: sessionmaker[Session]) -> dict[str, str]:
    """Create an admin, an editor and a reviewer; return their emails by role."""
    emails = {ADMIN: ADMIN_EMAIL, EDITOR: EDITOR_EMAIL, REVIEWER: REVIEWER_EMAIL}
    with session_factory() as db:
        for role, email in emails.items():
            create_account(db, email, PASSWORD, role, "test setup")
        db.commit()
    return emails


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the form; return the form token of the new session."""
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
    assert response.status_code == 303, response.text
    home = client.get("/staff")
    return csrf_token(home.text)


@pytest.fixture
def signed_in(client: TestClient, accounts: dict[str, str]) -> Callable[[str], str]:
    """Return a function that signs the client in with a role's account."""

    def sign_in_as(role: str) -> str:
        return sign_in(client, accounts[role])

    return sign_in_as


# A visitor's situation that Stop Hate UK and other national services match.
RACE_ABUSE_IN_LEICESTER = {
    "characteristics": ["race"],
    "incident_types": ["verbal_abuse"],
    "area": "leicester",
}


def signposted(client: TestClient, body: dict[str, object]) -> dict[str, dict]:
    """Return the routes that /api/signpost suggests, by service id."""
    response = client.post("/api/signpost", json=body)
    assert response.status_code == 200, response.text
    return {entry["service_id"]: entry for entry in response.json()["routes"]}


def edit_form(client: TestClient, service_id: str) -> dict[str, object]:
    """Return the service form's fields as the browser would post them unchanged."""
    page = client.get(f"/staff/services/{service_id}/edit")
    assert page.status_code == 200, page.text
    return form_fields(page.text)


_INPUT = re.compile(r"<input\b([^>]*)>", re.S)
_TEXTAREA = re.compile(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', re.S)
_SELECT = re.compile(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', re.S)
_ATTRIBUTE = re.compile(r'(\w[\w-]*)(?:="([^"]*)")?')


def form_fields(html: str) -> dict[str, object]:
    """Read the values a browser would post from the first form of a page.

    Checked checkboxes with the same name become a list.
    """
    import html as html_lib

    form = html[html.index("<main") :]
    fields: dict[str, object] = {}
    for match in _INPUT.finditer(form):
        attributes = {
            name: html_lib.unescape(value or "")
            for name, value in _ATTRIBUTE.findall(match.group(1))
        }
        name = attributes.get("name")
        if not name:
            continue
        kind = attributes.get("type", "text")
        if kind in ("checkbox", "radio"):
            if "checked" not in attributes:
                continue
            if kind == "checkbox":
                existing = fields.setdefault(name, [])
                assert isinstance(existing, list)
                existing.append(attributes.get("value", "on"))
                continue
        fields[name] = attributes.get("value", "")
    for name, value in _TEXTAREA.findall(form):
        fields[name] = html_lib.unescape(value)
    for name, options in _SELECT.findall(form):
        selected = re.search(r'<option value="([^"]*)" selected', options)
        first = re.search(r'<option value="([^"]*)"', options)
        chosen = selected or first
        fields[name] = chosen.group(1) if chosen else ""
    return fields
