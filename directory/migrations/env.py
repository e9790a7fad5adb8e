"""Alembic environment of the directory database.

The URL is `sqlalchemy.url` from the Alembic config when a caller sets it (the
tests do), and `settings.database_url` otherwise. A caller may also pass an open
connection as `config.attributes["connection"]`.
"""

import logging
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from directory.db import models  # noqa: F401  (registers the directory tables)
from directory.db.base import Base
from directory.db.session import make_engine
from directory.gateway import models as gateway_models  # noqa: F401  (chat table)
from directory.logs import models as log_models  # noqa: F401  (conversation logs)
from directory.review import models as review_models  # noqa: F401  (flags)
from directory.settings import settings
from directory.staff import models as staff_models  # noqa: F401  (staff tables)

logger = logging.getLogger(__name__)

config = context.config

# Programs that set up logging themselves (the seed command, the tests) set
# this attribute to False so that alembic.ini does not replace their handlers.
if config.config_file_name is not None and config.attributes.get(
    "configure_logging", True
):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def database_url() -> str:
    """Return the URL to migrate: the config's `sqlalchemy.url` or the settings'."""
    return config.get_main_option("sqlalchemy.url") or settings.database_url


def run_migrations_offline() -> None:
    """Write the migration SQL to standard output without connecting."""
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_on(connection: Connection) -> None:
    """Run the migrations on an open connection."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the given connection or on a new engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations_on(connection)
        return

    engine = make_engine(database_url())
    try:
        with engine.connect() as new_connection:
            run_migrations_on(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
