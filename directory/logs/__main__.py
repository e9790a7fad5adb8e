"""Command line for the conversation logs.

python -m directory.logs purge             delete logs older than the retention,
                                           keeping counts for the quarterly figures
python -m directory.logs erase REFERENCE   delete the conversation a visitor
                                           quotes: its log, Rasa's tracker and
                                           the gateway's row
python -m directory.logs access [--staff ID] [--conversation ID]
                                           list who opened which transcript
"""

import argparse
import asyncio
import logging
import sys

from sqlalchemy.orm import Session

from directory.db.session import SessionLocal
from directory.logs.access import list_access
from directory.logs.erasure import erase_by_reference
from directory.logs.store import purge_expired
from directory.rasa_client import RasaClient
from directory.settings import settings

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the `purge`, `erase` and `access` commands."""
    parser = argparse.ArgumentParser(
        prog="python -m directory.logs", description="Manage conversation logs."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    purge = commands.add_parser(
        "purge",
        help="Delete conversation logs older than the retention period, keeping "
        "their counts by day, area and characteristic for the quarterly figures.",
    )
    purge.add_argument(
        "--days",
        type=int,
        default=None,
        help="Retention in days (default: SOS_LOG_RETENTION_DAYS, "
        f"now {settings.log_retention_days}).",
    )

    erase = commands.add_parser(
        "erase",
        help="Delete the conversation with this visitor reference: its log, "
        "Rasa's tracker and the gateway's row. Exits with 3 if Rasa could not "
        "be reached, after deleting the log.",
    )
    erase.add_argument("reference", help="The 8-character reference, e.g. K7MQ2XPA.")

    access = commands.add_parser(
        "access", help="List transcript access records, newest first."
    )
    access.add_argument("--staff", default=None, help="Only this staff id.")
    access.add_argument("--conversation", default=None, help="Only this id.")
    access.add_argument("--limit", type=int, default=100, help="At most this many.")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command against the database in the settings; return the exit code."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    args = build_parser().parse_args(argv)

    with SessionLocal() as session:
        if args.command == "purge":
            days = args.days if args.days is not None else settings.log_retention_days
            if days < 0:
                print("--days must be 0 or more.", file=sys.stderr)
                return 2
            deleted = purge_expired(session, days)
            print(
                f"Deleted {deleted} conversation logs older than {days} days; "
                "the quarterly figures keep their counts."
            )
            return 0

        if args.command == "erase":
            return erase(session, args.reference)

        for record in list_access(
            session,
            staff_id=args.staff,
            conversation_id=args.conversation,
            limit=args.limit,
        ):
            print(
                f"{record.accessed_at.isoformat()}  staff {record.staff_id}  "
                f"conversation {record.conversation_id}"
            )
        return 0


def erase(session: Session, reference: str) -> int:
    """Erase the conversation with this reference; print what happened."""
    erasure = asyncio.run(
        erase_by_reference(session, reference, RasaClient.from_settings())
    )
    if erasure is None:
        print(
            f"No conversation log has the reference {reference!r}. "
            "Check the reference with the visitor; it may already have "
            "been deleted.",
            file=sys.stderr,
        )
        return 1
    if not erasure.tracker_cleared:
        print(
            f"Erased the conversation log with reference {reference}, but the "
            "assistant's copy of the conversation could not be cleared because "
            f"Rasa did not respond at {', '.join(settings.rasa_urls)}. The "
            "scheduled purge of idle conversations clears it on its next run "
            f"(every {settings.log_purge_interval_seconds:g} s, "
            "SOS_LOG_PURGE_INTERVAL_SECONDS). Check that Rasa is running.",
            file=sys.stderr,
        )
        return 3
    print(
        f"Erased the conversation with reference {reference}: its log and "
        "the assistant's copy of it."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
