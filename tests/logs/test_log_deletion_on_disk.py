"""What a deleted conversation leaves in a SQLite database's files.

SQLite keeps old page images in the write-ahead log until a checkpoint, and
leaves deleted content in free pages unless `secure_delete` is on. The files
are read while the engine still has its connections open, as in a running
service, because closing the last connection would checkpoint on its own.
"""

import asyncio
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from directory.db.session import make_engine, make_sessionmaker
from directory.gateway.deletion import delete_everywhere
from directory.logs.models import LogTurn, utc_now
from directory.logs.store import open_log, purge_expired
from directory.rasa_client import RasaClient
from tests.gateway.fake_rasa import FAKE_TOKEN, FakeRasa

CONVERSATION = "3c9b1f27-6d4e-4a8b-b2c1-8e7f6a5d4c30"
# An invented phrase that appears nowhere else in the database.
TURN_TEXT = "the plum-coloured zeppelin over Quenby Hall"


@pytest.fixture
def engine(seeded_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "directory.db"
    shutil.copyfile(seeded_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def database_files(engine: Engine) -> bytes:
    """Return the bytes of the database file and of its write-ahead log."""
    path = Path(str(engine.url.database))
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def store_log(session: Session) -> str:
    """Store a log with one turn; return its reference."""
    reference = open_log(session, CONVERSATION, None).reference
    session.add(
        LogTurn(
            conversation_id=CONVERSATION,
            turn_number=1,
            occurred_at=utc_now(),
            input_kind="text",
            visitor_text=TURN_TEXT,
        )
    )
    session.commit()
    return reference


def test_deleted_conversation_not_left_in_files(
    engine: Engine, fake_rasa: FakeRasa
) -> None:
    rasa = RasaClient(fake_rasa.base_url, FAKE_TOKEN, 2.0)
    with make_sessionmaker(engine)() as session:
        reference = store_log(session)
        assert TURN_TEXT.encode() in database_files(engine)
        assert reference.encode() in database_files(engine)

        asyncio.run(delete_everywhere(session, CONVERSATION, rasa))

    files = database_files(engine)
    assert TURN_TEXT.encode() not in files
    assert reference.encode() not in files


def test_purged_conversation_not_left_in_files(engine: Engine) -> None:
    with make_sessionmaker(engine)() as session:
        reference = store_log(session)
        assert TURN_TEXT.encode() in database_files(engine)

        assert purge_expired(session, 1, now=utc_now() + timedelta(days=2)) == 1

    files = database_files(engine)
    assert TURN_TEXT.encode() not in files
    assert reference.encode() not in files
