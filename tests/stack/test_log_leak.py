"""Planted personal details must not reach any store of the running stack.

The whole stack runs twice on its own ports: once with the loopback event
broker of bot/endpoints.yml, once with Rasa's RabbitMQ broker and the service's
consumer. Conversations carry invented names, a phone number, an e-mail
address, a postcode, a street address, an NI number, a car registration, a web
address, a social media handle and a date of birth. One conversation is kept,
one is deleted by "delete what I said", and one ends with the widget's quick
exit (the body-less POST that `navigator.sendBeacon` sends). Afterwards every
table of the database, the database files, every log file in var/log, every
other file written under the repository during the run, the RabbitMQ queue and
RabbitMQ's data folder are searched for them. The deleted conversations must
also be gone from every table and from Rasa's tracker store.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from directory.db.session import make_engine, make_sessionmaker
from directory.logs.models import ConversationLog, LogTurn
from stack.launcher import LOG_DIR, REPO_ROOT, Ports, Stack

LEAK_PORTS = Ports(directory=8600, rasa=5605, actions=5655)
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"

# Invented people and details.
VISITOR_NAME = "Farida Quennell"
OFFENDER_NAME = "Gareth Pennington"
PHONE = "07700 900318"
EMAIL = "farida.quennell@example.com"
POSTCODE = "LE11 4QZ"
STREET_ADDRESS = "47 Thistlewood Crescent"
NI_NUMBER = "JT 48 31 06 B"
CAR_REGISTRATION = "KX19 WJP"
WEB_ADDRESS = "https://gpennington.example.net/blog"
HANDLE = "@thistle_gaz77"
DATE_OF_BIRTH = "14/07/1979"
PLANTED = (
    VISITOR_NAME,
    "Quennell",
    OFFENDER_NAME,
    "Pennington",
    PHONE,
    PHONE.replace(" ", ""),
    EMAIL,
    POSTCODE,
    STREET_ADDRESS,
    "Thistlewood",
    NI_NUMBER,
    NI_NUMBER.replace(" ", ""),
    CAR_REGISTRATION,
    "gpennington.example.net",
    HANDLE,
    "thistle_gaz77",
    DATE_OF_BIRTH,
)
MESSAGES = (
    f"My neighbour {OFFENDER_NAME} shouted racist abuse at me because I'm "
    "Muslim and he pulled my hijab",
    f"It happened outside my house at {STREET_ADDRESS}, {POSTCODE}",
    f"I'm {VISITOR_NAME}, ring me on {PHONE} or email {EMAIL}",
    f"his car registration is {CAR_REGISTRATION} and he followed me",
    f"my NI number is {NI_NUMBER} if you need it",
    f"he posts about me as {HANDLE} and on his site {WEB_ADDRESS}",
    f"my date of birth is {DATE_OF_BIRTH}",
)
QUICK_EXIT_MESSAGES = (
    f"{OFFENDER_NAME} keeps posting about me as {HANDLE} on {WEB_ADDRESS}",
    f"I'm {VISITOR_NAME}, born {DATE_OF_BIRTH}, ring me on {PHONE}",
)
# Folders that the run may write to without holding conversation data: the
# virtual environments, git, and Python's and pytest's caches (the compiled
# test module contains the planted strings as constants).
SKIPPED_PARTS = {".venvs", ".git", "__pycache__", ".pytest_cache", ".mypy_cache"}
# Source files outside var/ that someone may edit while the stack runs; the
# stack itself writes only under var/ and .rasa/.
SOURCE_SUFFIXES = {".py", ".md", ".yml", ".yaml", ".js", ".css", ".html", ".json"}
# Larger temporary files are not read; the stack writes none while chatting.
MAX_SCANNED_BYTES = 100 * 1024 * 1024
RABBITMQ_DATA_DIR = Path(
    os.environ.get("RABBITMQ_MNESIA_BASE", "/var/lib/rabbitmq/mnesia")
)


@dataclass
class LeakRun:
    """What one run of the stack left behind."""

    database_url: str
    database_dir: Path
    # Time the first planted message was sent, after the stack had started.
    chat_started_at: float
    queue_name: str | None
    reference: str
    conversation_id: str
    # Ids of the conversations deleted by "delete what I said" and by the
    # quick exit, and what Rasa's tracker store returned for each before the
    # stack stopped.
    deleted_ids: tuple[str, ...]
    deleted_trackers: dict[str, dict]
    # Event types of the kept conversation's tracker, to show the check works.
    kept_tracker_events: list[str]


def seed_database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'directory.db'}"
    subprocess.run(
        [sys.executable, "-m", "directory.seed"],
        cwd=REPO_ROOT,
        env={"SOS_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        check=True,
    )
    return url


def complete_turns(database_url: str, conversation_id: str) -> int:
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            turns = session.scalars(
                select(LogTurn).where(
                    LogTurn.conversation_id == conversation_id,
                    LogTurn.complete.is_(True),
                )
            ).all()
            return len(turns)
    finally:
        engine.dispose()


def say(client: httpx.Client, conversation_id: str, message: str) -> None:
    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": message}
    )
    assert response.status_code == 200, response.text


def quick_exit(client: httpx.Client, conversation_id: str) -> None:
    """Delete the conversation as the widget's quick exit does with a beacon."""
    response = client.post(
        f"/api/chat/conversations/{conversation_id}/delete",
        content=b"",
        headers={"content-type": "text/plain;charset=UTF-8"},
    )
    assert response.status_code == 204, response.text


def rasa_tracker(stack: Stack, conversation_id: str) -> dict:
    """Return the tracker that Rasa's tracker store holds for a conversation."""
    response = httpx.get(
        f"{stack.rasa_url}/conversations/{conversation_id}/tracker",
        params={"token": stack.rasa_token},
        timeout=30.0,
    )
    response.raise_for_status()
    tracker: dict = response.json()
    return tracker


def chat(stack: Stack, database_url: str) -> tuple[str, str, tuple[str, ...]]:
    """Hold the planted conversation and two that are deleted, one by the
    visitor's request and one by the quick exit.

    Returns the kept conversation's id and reference, and the deleted ids.
    """
    with httpx.Client(base_url=stack.directory_url, timeout=60.0) as client:
        response = client.post(
            "/api/chat/conversations",
            json={
                "utm_source": "meta",
                "utm_medium": "paid_social",
                "utm_campaign": "winter-2026",
            },
        )
        response.raise_for_status()
        started = response.json()
        for message in MESSAGES:
            say(client, started["conversation_id"], message)

        deleted = client.post("/api/chat/conversations").json()["conversation_id"]
        say(client, deleted, f"{OFFENDER_NAME} threatened me at {STREET_ADDRESS}")
        say(client, deleted, "please delete what I said")

        exited = client.post("/api/chat/conversations").json()["conversation_id"]
        for message in QUICK_EXIT_MESSAGES:
            say(client, exited, message)
        # Let the turns' events reach the log first, so that the quick exit
        # has something to delete there too.
        wait_for_turns(database_url, exited, len(QUICK_EXIT_MESSAGES))
        quick_exit(client, exited)

    wait_for_turns(database_url, started["conversation_id"], len(MESSAGES))
    return started["conversation_id"], started["reference"], (deleted, exited)


def wait_for_turns(database_url: str, conversation_id: str, count: int) -> None:
    """Wait up to a minute until `count` turns of the conversation are complete."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if complete_turns(database_url, conversation_id) >= count:
            return
        time.sleep(0.5)


@pytest.fixture(scope="module", params=["loopback", "rabbitmq"])
def leak_run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LeakRun]:
    """Run the stack with one broker set-up, chat, stop it, and yield the traces."""
    tmp_path = tmp_path_factory.mktemp(f"leak-{request.param}")
    database_url = seed_database(tmp_path)
    queue_name = None
    stack = Stack(ports=LEAK_PORTS, database_url=database_url)
    if request.param == "rabbitmq":
        name = f"sos-leak-{uuid.uuid4().hex[:12]}"
        queue_name = f"{name}-queue"
        stack.endpoints = REPO_ROOT / "event_broker" / "endpoints-rabbitmq.yml"
        stack.extra_environment = {
            "SOS_RABBITMQ_HOST": "127.0.0.1",
            "SOS_RABBITMQ_PORT": "5672",
            "SOS_RABBITMQ_USERNAME": "guest",
            "SOS_RABBITMQ_PASSWORD": "guest",
            "SOS_RABBITMQ_EXCHANGE": f"{name}-exchange",
            "SOS_LOG_RABBITMQ_URL": RABBITMQ_URL,
            "SOS_LOG_RABBITMQ_QUEUE": queue_name,
        }

    try:
        stack.start()
        chat_started_at = time.time()
        conversation_id, reference, deleted_ids = chat(stack, database_url)
        if queue_name is not None:
            wait_until_consumed(queue_name)
        deleted_trackers = {
            deleted_id: rasa_tracker(stack, deleted_id) for deleted_id in deleted_ids
        }
        kept_tracker_events = [
            str(event.get("event"))
            for event in rasa_tracker(stack, conversation_id).get("events") or []
        ]
    finally:
        stack.stop()

    yield LeakRun(
        database_url,
        tmp_path,
        chat_started_at,
        queue_name,
        reference,
        conversation_id,
        deleted_ids,
        deleted_trackers,
        kept_tracker_events,
    )

    if queue_name is not None:
        delete_queue(queue_name, f"{queue_name.removesuffix('-queue')}-exchange")


def queue_length(queue_name: str) -> int:
    """Return the number of messages waiting in the queue."""
    import asyncio

    import aio_pika

    async def count() -> int:
        connection = await aio_pika.connect(RABBITMQ_URL)
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, durable=True)
        await connection.close()
        return int(queue.declaration_result.message_count or 0)

    return asyncio.run(count())


def wait_until_consumed(queue_name: str) -> None:
    """Wait until the service has consumed every event, seen empty twice."""
    empty_checks = 0
    deadline = time.monotonic() + 60
    while empty_checks < 2 and time.monotonic() < deadline:
        time.sleep(1.0)
        empty_checks = empty_checks + 1 if queue_length(queue_name) == 0 else 0


def delete_queue(queue_name: str, exchange_name: str) -> None:
    import asyncio

    import aio_pika

    async def delete() -> None:
        connection = await aio_pika.connect(RABBITMQ_URL)
        channel = await connection.channel()
        await channel.queue_delete(queue_name)
        await channel.exchange_delete(exchange_name)
        await connection.close()

    asyncio.run(delete())


def found_in(content: str) -> list[str]:
    lowered = content.lower()
    return [detail for detail in PLANTED if detail.lower() in lowered]


def test_log_has_redacted_turns(leak_run: LeakRun) -> None:
    engine = make_engine(leak_run.database_url)
    with Session(engine) as session:
        log = session.get(ConversationLog, leak_run.conversation_id)
        assert log is not None
        turns = sorted(log.turns, key=lambda turn: turn.turn_number)
        assert log.reference == leak_run.reference
        assert (log.utm_source, log.utm_medium) == ("meta", "paid_social")
        assert log.utm_campaign == "winter-2026"
        assert len(turns) >= len(MESSAGES)
        assert all(turn.complete for turn in turns)
        assert all(turn.replies for turn in turns)
        assert turns[0].intent is not None
        assert "[PERSON_1]" in turns[0].visitor_text
        assert "religion" in turns[0].situation.get("characteristics", [])
        assert "[POSTCODE_" in turns[1].visitor_text
        assert log.conversation_id == leak_run.conversation_id
    engine.dispose()


def test_deleted_conversation_left_nothing(leak_run: LeakRun) -> None:
    engine = make_engine(leak_run.database_url)
    with Session(engine) as session:
        logs = session.scalars(select(ConversationLog)).all()
    engine.dispose()

    assert [log.conversation_id for log in logs] == [leak_run.conversation_id]


def test_deleted_conversations_not_in_tables(leak_run: LeakRun) -> None:
    engine = make_engine(leak_run.database_url)
    found: dict[str, list[str]] = {}
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            rows = connection.execute(text(f'SELECT * FROM "{table}"')).all()
            content = "\n".join(repr(tuple(row)) for row in rows)
            ids = [deleted for deleted in leak_run.deleted_ids if deleted in content]
            if ids:
                found[table] = ids
    engine.dispose()

    assert len(leak_run.deleted_ids) == 2
    assert found == {}


def test_deleted_conversations_not_in_rasa(leak_run: LeakRun) -> None:
    assert "user" in leak_run.kept_tracker_events
    for conversation_id, tracker in leak_run.deleted_trackers.items():
        kinds = [event.get("event") for event in tracker.get("events") or []]

        assert "user" not in kinds, conversation_id
        assert "bot" not in kinds, conversation_id
        assert found_in(json.dumps(tracker)) == [], conversation_id


def test_no_detail_in_database_tables(leak_run: LeakRun) -> None:
    engine = make_engine(leak_run.database_url)
    leaks: dict[str, list[str]] = {}
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            rows = connection.execute(text(f'SELECT * FROM "{table}"')).all()
            found = found_in("\n".join(repr(tuple(row)) for row in rows))
            if found:
                leaks[table] = found
    engine.dispose()

    assert leaks == {}


def test_no_detail_in_database_files(leak_run: LeakRun) -> None:
    leaks = {
        path.name: found
        for path in leak_run.database_dir.iterdir()
        if path.is_file()
        and (found := found_in(path.read_bytes().decode("utf-8", "replace")))
    }

    assert leaks == {}


def test_no_detail_in_log_files(leak_run: LeakRun) -> None:
    leaks = {
        path.name: found
        for path in LOG_DIR.rglob("*")
        if path.is_file()
        and (found := found_in(path.read_text(encoding="utf-8", errors="replace")))
    }

    assert leaks == {}


def is_edited_source(path: Path) -> bool:
    relative = path.relative_to(REPO_ROOT)
    return relative.parts[0] != "var" and path.suffix in SOURCE_SUFFIXES


def test_no_detail_in_files_written(leak_run: LeakRun) -> None:
    written = [
        path
        for path in REPO_ROOT.rglob("*")
        if path.is_file()
        and not SKIPPED_PARTS & set(path.relative_to(REPO_ROOT).parts)
        and path.stat().st_mtime >= leak_run.chat_started_at
        and not is_edited_source(path)
    ]
    leaks = {
        str(path.relative_to(REPO_ROOT)): found
        for path in written
        if (found := found_in(path.read_bytes().decode("utf-8", "replace")))
    }

    assert leaks == {}


def written_since(folder: Path, since: float) -> Iterator[Path]:
    """Yield the regular files under `folder` modified at or after `since`."""
    for path in folder.rglob("*"):
        try:
            if path.is_file() and path.stat().st_mtime >= since:
                yield path
        except OSError:
            continue


def test_no_detail_in_temp_files(leak_run: LeakRun) -> None:
    leaks = {}
    for path in written_since(Path(tempfile.gettempdir()), leak_run.chat_started_at):
        if "__pycache__" in path.parts or path.stat().st_size > MAX_SCANNED_BYTES:
            continue
        try:
            content = path.read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        if found := found_in(content):
            leaks[str(path)] = found

    assert leaks == {}


def test_no_detail_in_rabbitmq_queue(leak_run: LeakRun) -> None:
    if leak_run.queue_name is None:
        pytest.skip("the loopback broker uses no queue")
    import asyncio

    import aio_pika

    async def drain() -> list[bytes]:
        connection = await aio_pika.connect(RABBITMQ_URL)
        channel = await connection.channel()
        queue = await channel.declare_queue(leak_run.queue_name, durable=True)
        bodies = []
        while (message := await queue.get(fail=False)) is not None:
            bodies.append(message.body)
            await message.ack()
        await connection.close()
        return bodies

    bodies = asyncio.run(drain())

    assert found_in(b"".join(bodies).decode("utf-8", "replace")) == []
    assert bodies == []


def search_folder(folder: Path) -> tuple[dict[str, list[str]], list[str]]:
    """Search every file under `folder` for planted details.

    Returns the planted details found per file, and the folders and files that
    could not be read. `Path.rglob` passes over unreadable folders without a
    word, so the walk reports them instead.
    """
    leaks: dict[str, list[str]] = {}
    unreadable: list[str] = []

    def note_unreadable(error: OSError) -> None:
        unreadable.append(f"{error.filename}: {error.strerror}")

    for directory, _, file_names in os.walk(folder, onerror=note_unreadable):
        for file_name in file_names:
            path = Path(directory) / file_name
            if not path.is_file():
                continue
            try:
                content = path.read_bytes().decode("utf-8", "replace")
            except OSError as error:
                note_unreadable(error)
                continue
            if found := found_in(content):
                leaks[str(path)] = found
    return leaks, unreadable


def test_no_detail_in_rabbitmq_data_dir(leak_run: LeakRun) -> None:
    if leak_run.queue_name is None:
        pytest.skip("the loopback broker uses no queue")
    if not RABBITMQ_DATA_DIR.is_dir():
        pytest.skip(
            f"RabbitMQ's data folder {RABBITMQ_DATA_DIR} does not exist: set "
            "RABBITMQ_MNESIA_BASE to the folder of the server on 127.0.0.1:5672"
        )

    leaks, unreadable = search_folder(RABBITMQ_DATA_DIR)

    assert leaks == {}
    if unreadable:
        pytest.skip(
            f"{len(unreadable)} paths under RabbitMQ's data folder "
            f"{RABBITMQ_DATA_DIR} could not be read and were not searched, such "
            f"as {unreadable[0]}: run the test as root or as the rabbitmq user"
        )
