"""Database engine and sessions built from `settings.database_url`."""

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from directory.settings import settings

logger = logging.getLogger(__name__)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Turn on foreign keys, and write-ahead logging for concurrent requests.

    SQLite leaves foreign key enforcement off by default. In WAL mode readers
    do not wait for the writer. With `synchronous=NORMAL` a commit does not
    wait for the disk, so a crash of the service loses nothing and a power cut
    can lose only the last commits. In the default rollback-journal mode each
    gateway turn's commit waited for several disk syncs and for the log
    capture's writes (docs/benchmarks.md). With `secure_delete` SQLite
    overwrites deleted content with zeros, so a deleted conversation does not
    stay readable in free pages of the file. `checkpoint_sqlite` then clears
    the old page images from the write-ahead log.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()


def checkpoint_sqlite(session: Session) -> None:
    """On SQLite, copy the write-ahead log into the database file and empty it.

    Called after a deletion has committed, so that the deleted rows' old page
    images do not stay in the `-wal` file. SQLite waits for readers and the
    writer up to the connection's busy timeout. A checkpoint that stays busy,
    or that fails, is logged at DEBUG and the deletion goes on. The old page
    images then stay until a later checkpoint and new writes replace them.
    Other databases are left alone.
    """
    bind = session.get_bind()
    if not isinstance(bind, Engine) or bind.dialect.name != "sqlite":
        return
    try:
        with bind.connect() as connection:
            result = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = result.one()[0]
    except SQLAlchemyError as exc:
        logger.debug(
            "SQLite checkpoint after a deletion failed: %s", type(exc).__name__
        )
        return
    if busy:
        logger.debug(
            "SQLite checkpoint after a deletion was busy, so the WAL was not emptied"
        )


def make_engine(database_url: str) -> Engine:
    """Create an engine, first creating the folder of a SQLite database file."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database not in (None, ":memory:"):
            Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
        return create_engine(url, pool_pre_ping=True)

    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
    )


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Create a session factory bound to `engine`."""
    return sessionmaker(bind=engine, expire_on_commit=False)


engine = make_engine(settings.database_url)
SessionLocal = make_sessionmaker(engine)


def get_session() -> Iterator[Session]:
    """Yield a session for one request and close it afterwards (FastAPI dependency)."""
    with SessionLocal() as session:
        yield session
