"""The command that creates the first admin account."""

import subprocess
import sys

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory.settings import REPO_ROOT
from directory.staff import cli, security
from directory.staff.models import ADMIN, StaffAccount

EMAIL = "first.admin@example.org.uk"
PASSWORD = "a password of some length"


def _run(database_url: str, password: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "directory.staff", "create-admin", "--email", EMAIL],
        cwd=REPO_ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "SOS_DATABASE_URL": database_url,
            cli.PASSWORD_VARIABLE: password,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_create_admin_from_environment(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    result = _run(database_url, PASSWORD)

    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stderr + result.stdout
    with session_factory() as db:
        account = db.scalar(select(StaffAccount).where(StaffAccount.email == EMAIL))
    assert account is not None
    assert account.role == ADMIN
    assert security.verify_password(account.password_hash, PASSWORD)


def test_create_admin_twice_rejected(database_url: str) -> None:
    assert _run(database_url, PASSWORD).returncode == 0

    second = _run(database_url, PASSWORD)

    assert second.returncode == 1
    assert "already exists" in second.stderr


def test_create_admin_short_password_rejected(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    result = _run(database_url, "short")

    assert result.returncode == 1
    assert "at least 12 characters" in result.stderr
    with session_factory() as db:
        assert db.scalars(select(StaffAccount)).first() is None


def test_create_admin_has_no_password_option() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "directory.staff", "create-admin", "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert "--email" in result.stdout
    assert "--password" not in result.stdout
