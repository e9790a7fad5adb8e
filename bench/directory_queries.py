"""Measure the directory's main queries on a directory of 10,000 services.

For SQLite (a temporary file) and PostgreSQL (a temporary database on
127.0.0.1:5432 with a random name, dropped at the end), the script:

1. upgrades the database with Alembic and loads the starting records of
   `data/llr_support_directory.json` plus generated services of invented
   organisations, through `directory.seed.seed_directory`, so that every
   service has its taxonomy terms and areas as the seed writes them;
2. times, each in a new session as a request has it: `SELECT 1` (the
   reference), the signposting engine (`directory.signposting.engine.signpost`,
   what `POST /api/signpost` runs), and `GET /openreferral/services?search=`
   called in-process through `fastapi.testclient.TestClient`;
3. prints the query plan of every statement those two ran (EXPLAIN QUERY PLAN
   on SQLite, EXPLAIN on PostgreSQL) and whether it reads each table through an
   index or scans it.

Run: `.venvs/service/bin/python bench/directory_queries.py [--services 10000]`.
"""

from __future__ import annotations

import argparse
import atexit
import os
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# The service's module-level engine is built from SOS_DATABASE_URL at import
# time. Point it at a scratch file so that nothing opens var/directory.db. The
# benchmark gives every request a session of its own engine through a
# dependency override.
SCRATCH_DIRECTORY = tempfile.mkdtemp(prefix="sos-bench-")
atexit.register(shutil.rmtree, SCRATCH_DIRECTORY, ignore_errors=True)
os.environ["SOS_DATABASE_URL"] = f"sqlite:///{SCRATCH_DIRECTORY}/unused.db"

import psycopg  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, event, func, select, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from directory import vocabulary  # noqa: E402
from directory.app import app  # noqa: E402
from directory.db.models import Service  # noqa: E402
from directory.db.session import get_session, make_engine  # noqa: E402
from directory.seed import (  # noqa: E402
    DATA_FILE_NAME,
    ContactsRecord,
    DirectoryFile,
    ServiceRecord,
    read_directory_file,
    seed_directory,
    upgrade_database,
)
from directory.settings import settings  # noqa: E402
from directory.signposting.engine import signpost  # noqa: E402
from directory.signposting.schemas import Situation  # noqa: E402

POSTGRES_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
SERVICES_PATH = "/openreferral/services"
SEARCH_TERMS = ("hate", "support", "Leicester", "advice line", "zzz-no-match")

# Word lists of the invented organisations and services.
ORGANISATION_WORDS = (
    ("Riverside", "Hillview", "Oakfield", "Meadow", "Northgate", "Brookside"),
    ("Community", "Neighbours", "Friends", "Families", "Voices", "Together"),
    ("Trust", "Network", "Project", "Association", "Collective", "Partnership"),
)
SERVICE_KINDS = (
    "advice line",
    "drop-in support",
    "reporting centre",
    "advocacy service",
    "befriending scheme",
    "helpline",
)
SITUATIONS = (
    Situation(
        characteristics=["religion"],
        faiths=["muslim"],
        incident_types=["criminal_damage", "hate_material"],
        area="charnwood",
    ),
    Situation(
        characteristics=["race"], incident_types=["physical_assault"], area="leicester"
    ),
    Situation(
        characteristics=["sexual_orientation"],
        incident_types=["verbal_abuse"],
        area="melton",
        wants_anonymous=True,
    ),
    Situation(characteristics=["disability"], incident_types=["harassment"], area=None),
)


@dataclass
class Timings:
    """Seconds per call of one measured operation."""

    name: str
    seconds: list[float] = field(default_factory=list)

    def p(self, fraction: float) -> float:
        ordered = sorted(self.seconds)
        rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
        return ordered[min(rank, len(ordered)) - 1]


def generated_services(count: int, seed: int) -> list[ServiceRecord]:
    """Return `count` invented services with terms drawn from the vocabularies."""
    rng = random.Random(seed)
    organisations = [
        " ".join(words)
        for words in zip(
            *(rng.choices(part, k=400) for part in ORGANISATION_WORDS), strict=True
        )
    ]
    routes = [term.code for term in vocabulary.ROUTES.terms if term.code != "emergency"]
    characteristics = [
        term.code for term in vocabulary.CHARACTERISTICS.terms if term.code != "any"
    ]
    faiths = [term.code for term in vocabulary.FAITHS.terms]
    incident_types = [
        term.code for term in vocabulary.INCIDENT_TYPES.terms if term.code != "any"
    ]
    areas = [*vocabulary.COUNCIL_IDS, vocabulary.LLR, vocabulary.NATIONAL]

    services = []
    for number in range(count):
        organisation = organisations[number % len(organisations)]
        kind = rng.choice(SERVICE_KINDS)
        chosen_characteristics = (
            ["any"] if rng.random() < 0.3 else rng.sample(characteristics, k=2)
        )
        services.append(
            ServiceRecord(
                id=f"bench-{number:05d}",
                name=f"{organisation} {kind} {number}",
                organization=organisation,
                description=(
                    f"Invented {kind} for people affected by hate incidents, run by "
                    f"{organisation}."
                ),
                routes=rng.sample(routes, k=rng.randint(1, 2)),
                characteristics=chosen_characteristics,
                faiths=(
                    rng.sample(faiths, k=1)
                    if "religion" in chosen_characteristics and rng.random() < 0.5
                    else []
                ),
                incident_types=(
                    ["any"] if rng.random() < 0.4 else rng.sample(incident_types, k=3)
                ),
                areas=rng.sample(areas, k=rng.randint(1, 2)),
                contacts=ContactsRecord(
                    phone=f"0116 496 {number % 10000:04d}",
                    url=f"https://example.org/services/{number}",
                ),
                hours="Monday to Friday, 9am to 5pm",
                anonymous=rng.random() < 0.2,
                source="generated for the benchmark",
                verified=False,
            )
        )
    return services


def build_directory(database_url: str, services: int) -> float:
    """Create the tables, load the directory and return the seconds it took."""
    started = time.perf_counter()
    upgrade_database(database_url)
    data = read_directory_file(settings.data_dir / DATA_FILE_NAME)
    extra = generated_services(services - len(data.services), seed=20261204)
    directory = DirectoryFile(
        about=data.about, councils=data.councils, services=[*data.services, *extra]
    )
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            seed_directory(session, directory)
            session.commit()
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT")
                connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return time.perf_counter() - started


def time_calls(name: str, iterations: int, call: Callable[[], object]) -> Timings:
    """Call `call` once to warm up, then `iterations` times, timing each call."""
    call()
    timings = Timings(name)
    for _ in range(iterations):
        started = time.perf_counter()
        call()
        timings.seconds.append(time.perf_counter() - started)
    return timings


@contextmanager
def captured_statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Collect the SQL statements and parameters that `engine` runs."""
    statements: list[tuple[str, Any]] = []

    def record(
        _connection: Any,
        _cursor: Any,
        statement: str,
        parameters: Any,
        _context: Any,
        _executemany: bool,
    ) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def short_sql(statement: str) -> str:
    """Return the statement on one line, with long lists of parameters folded."""
    one_line = " ".join(statement.split())
    folded = re.sub(
        r"\((?:[?]|%\([a-z_0-9]+\)s|__\[POSTCOMPILE[^\]]*\])(?:, [^)]*)\)",
        "(...)",
        one_line,
    )
    return folded if len(folded) <= 240 else folded[:237] + "..."


def short_plan_line(line: str) -> str:
    """Return a plan line with long literal arrays of ids folded."""
    folded = re.sub(r"'\{[^}]{60,}\}'", "'{...}'", line)
    return folded if len(folded) <= 200 else folded[:197] + "..."


def index_verdict(dialect: str, plan: list[str]) -> str:
    """Return which tables a plan scans whole and which it reads by index."""
    scans: list[str] = []
    indexed: list[str] = []
    for line in plan:
        if dialect == "sqlite":
            match = re.search(r"\b(SCAN|SEARCH) (\w+)", line)
            if not match or match.group(2).startswith("anon_"):
                continue
            uses_index = "INDEX" in line or "PRIMARY KEY" in line
            (indexed if match.group(1) == "SEARCH" or uses_index else scans).append(
                match.group(2)
            )
        else:
            match = re.search(
                r"(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan)"
                r"(?: using \w+)? on (\w+)",
                line,
            )
            if not match:
                continue
            (scans if match.group(1) == "Seq Scan" else indexed).append(match.group(2))
    parts = []
    if indexed:
        parts.append("index used on " + ", ".join(sorted(set(indexed))))
    if scans:
        parts.append("full scan of " + ", ".join(sorted(set(scans))))
    return "; ".join(parts) or "no table read"


def print_plans(engine: Engine, statements: list[tuple[str, Any]]) -> None:
    """Print the query plan of each distinct statement."""
    dialect = engine.dialect.name
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
    seen: set[str] = set()
    connection = engine.raw_connection()
    try:
        for statement, parameters in statements:
            key = short_sql(statement)
            if key in seen or not statement.lstrip().upper().startswith("SELECT"):
                continue
            seen.add(key)
            cursor = connection.cursor()
            cursor.execute(prefix + statement, parameters)
            rows = cursor.fetchall()
            cursor.close()
            plan = [
                " ".join(str(value) for value in row[-1:])
                if dialect == "sqlite"
                else str(row[0])
                for row in rows
            ]
            print(f"  SQL: {key}")
            for line in plan:
                print(f"      {short_plan_line(line)}")
            print(f"    -> {index_verdict(dialect, plan)}")
    finally:
        connection.close()


def measure_backend(
    label: str, database_url: str, services: int, iterations: int
) -> None:
    """Build the directory in one database, then time and explain its queries."""
    seconds = build_directory(database_url, services)
    engine = make_engine(database_url)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)

    def request_session() -> Iterator[Session]:
        with sessions() as session:
            yield session

    app.dependency_overrides[get_session] = request_session
    client = TestClient(app)
    try:
        with sessions() as session:
            total = session.scalar(select(func.count()).select_from(Service))
        print(f"\n== {label}: {total} services, built in {seconds:.1f} s ==")

        def select_one() -> None:
            with sessions() as session:
                session.execute(text("SELECT 1")).scalar_one()

        situations = iter(SITUATIONS * (iterations + 1))
        routes_found: list[int] = []

        def run_signpost() -> None:
            with sessions() as session:
                result = signpost(session, next(situations))
            routes_found.append(len(result.routes))

        searches = iter(SEARCH_TERMS * (iterations + 1))

        def run_search() -> None:
            response = client.get(SERVICES_PATH, params={"search": next(searches)})
            response.raise_for_status()

        timings = [
            time_calls("SELECT 1", iterations, select_one),
            time_calls("signpost()", iterations, run_signpost),
            time_calls("GET /services?search=", iterations, run_search),
        ]
        reference = timings[0].p(0.95)
        print(
            f"{'operation':<24}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}"
            f"{'p95 / SELECT 1 p95':>20}"
        )
        for timing in timings:
            print(
                f"{timing.name:<24}{len(timing.seconds):>5}"
                f"{timing.p(0.50) * 1000:>9.2f}{timing.p(0.95) * 1000:>9.2f}"
                f"{statistics.fmean(timing.seconds) * 1000:>9.2f}"
                f"{timing.p(0.95) / reference:>20.0f}"
            )
        print(f"routes per signpost result: {min(routes_found)} to {max(routes_found)}")

        print(f"\nQuery plans ({label}), statements of one signpost() call:")
        with captured_statements(engine) as statements:
            with sessions() as session:
                signpost(session, SITUATIONS[0])
        print_plans(engine, statements)

        print(f"\nQuery plans ({label}), statements of GET /services?search=hate:")
        with captured_statements(engine) as statements:
            client.get(SERVICES_PATH, params={"search": "hate"}).raise_for_status()
        print_plans(engine, statements)
    finally:
        app.dependency_overrides.pop(get_session, None)
        client.close()
        engine.dispose()


@contextmanager
def temporary_postgres_database() -> Iterator[str]:
    """Create a database with a random name, yield its URL, then drop it."""
    name = f"sos_bench_{secrets.token_hex(6)}"
    with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_URL.format(name=name)
    finally:
        with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    # Line by line, so that figures and log lines on standard error interleave whole.
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--services", type=int, default=10000, help="services in the directory"
    )
    parser.add_argument(
        "--iterations", type=int, default=50, help="timed calls per operation"
    )
    parser.add_argument(
        "--skip-postgres", action="store_true", help="measure SQLite only"
    )
    arguments = parser.parse_args()

    print(f"date (UTC): {datetime.now(UTC):%Y-%m-%d %H:%M}")
    with tempfile.TemporaryDirectory(prefix="sos-bench-") as directory:
        sqlite_url = f"sqlite:///{Path(directory) / 'directory.db'}"
        measure_backend("SQLite", sqlite_url, arguments.services, arguments.iterations)
    if not arguments.skip_postgres:
        with temporary_postgres_database() as postgres_url:
            measure_backend(
                "PostgreSQL", postgres_url, arguments.services, arguments.iterations
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
