"""Import or export the directory in Open Referral JSON or the staff CSV format.

    python -m directory.openreferral import FILE [--publish] [--dry-run] [--strict]
    python -m directory.openreferral export FILE [--published-only]

The format follows the file name: `.json` or `.csv`. The exit status is 0
when the import or export was written (or, with --dry-run, would have been),
and 1 when nothing was written.
"""

import argparse
import logging
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from directory.db.session import make_engine, make_sessionmaker
from directory.openreferral.exporter import export_file
from directory.openreferral.importer import import_file
from directory.openreferral.report import FeedError
from directory.settings import settings


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the command-line arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m directory.openreferral",
        description="Import or export the support directory as Open Referral "
        "JSON (HSDS 3.0) or the staff CSV format, chosen by the file name.",
    )
    parser.add_argument(
        "--database-url",
        default=settings.database_url,
        help="SQLAlchemy URL of the database (default: SOS_DATABASE_URL)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    importing = commands.add_parser(
        "import", help="read services from a .json or .csv file"
    )
    importing.add_argument("file", type=Path, help="the .json or .csv file to read")
    importing.add_argument(
        "--publish",
        action="store_true",
        help="publish the imported services at once; without it new services "
        "stay unpublished until staff publish them",
    )
    importing.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file and report what would change, writing nothing",
    )
    importing.add_argument(
        "--strict",
        action="store_true",
        help="write nothing if any record is rejected",
    )

    exporting = commands.add_parser(
        "export", help="write services to a .json or .csv file"
    )
    exporting.add_argument("file", type=Path, help="the .json or .csv file to write")
    exporting.add_argument(
        "--published-only",
        action="store_true",
        help="leave out unpublished services",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the import or export command; return the process exit status."""
    arguments = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )

    engine = make_engine(arguments.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            if arguments.command == "import":
                report = import_file(
                    session,
                    arguments.file,
                    publish=arguments.publish,
                    dry_run=arguments.dry_run,
                    strict=arguments.strict,
                )
                lines = report.summary_lines()
            else:
                lines = export_file(
                    session, arguments.file, published_only=arguments.published_only
                ).summary_lines()
    except FeedError as exc:
        print(
            f"{arguments.command.capitalize()} of {arguments.file} failed, so "
            f"nothing was written: {exc}",
            file=sys.stderr,
        )
        return 1
    except SQLAlchemyError as exc:
        print(
            f"{arguments.command.capitalize()} of {arguments.file} failed, so "
            f"nothing was written: the database query failed "
            f"({type(exc).__name__}: {getattr(exc, 'orig', exc)}). Check "
            "--database-url, and create the tables with `make db` or "
            "`python -m directory.seed` if the database is new.",
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()

    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
