"""Command line for staff accounts: `python -m directory.staff create-admin`.

The password is read from the SOS_STAFF_ADMIN_PASSWORD environment variable if
it is set, and otherwise asked for twice at a prompt that does not echo it. It
is never a command-line argument, which other users of the machine can see.
"""

import argparse
import getpass
import logging
import os

from sqlalchemy.exc import SQLAlchemyError

from directory.db.session import make_engine, make_sessionmaker
from directory.settings import settings
from directory.staff.accounts import AccountError, create_account
from directory.staff.models import ADMIN

logger = logging.getLogger(__name__)

PASSWORD_VARIABLE = "SOS_STAFF_ADMIN_PASSWORD"
CREATED_BY = "directory.staff create-admin"


class PasswordEntryError(Exception):
    """The two passwords typed at the prompt differ."""


def read_password() -> str:
    """Return the password from the environment, or ask for it twice."""
    from_environment = os.environ.get(PASSWORD_VARIABLE)
    if from_environment:
        return from_environment
    first = getpass.getpass("Password for the new admin: ")
    second = getpass.getpass("Type the password again: ")
    if first != second:
        raise PasswordEntryError("The two passwords differ; nothing was created.")
    return first


def create_admin(database_url: str, email: str, password: str) -> str:
    """Create an admin account in the database and return its id."""
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as db:
            account = create_account(db, email, password, ADMIN, CREATED_BY)
            db.commit()
            return account.id
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Run the command and return the process exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m directory.staff",
        description="Manage staff accounts of the directory service.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser(
        "create-admin",
        help=f"create an admin account; the password comes from {PASSWORD_VARIABLE} "
        "or a prompt",
    )
    create.add_argument("--email", required=True, help="email address to sign in with")
    create.add_argument(
        "--database-url",
        default=settings.database_url,
        help="SQLAlchemy URL of the database (default: SOS_DATABASE_URL)",
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    try:
        password = read_password()
        account_id = create_admin(arguments.database_url, arguments.email, password)
    except (AccountError, PasswordEntryError) as exc:
        logger.error("%s", exc)
        return 1
    except SQLAlchemyError as exc:
        logger.error(
            "Could not create the admin account: the database failed (%s). Run "
            "`python -m directory.seed` first to create the tables.",
            exc.__class__.__name__,
        )
        return 1
    logger.info("Created admin account %s for %s", account_id, arguments.email)
    return 0
