"""Tests of the Alembic migrations of the directory database."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from directory.db import models  # noqa: F401  (registers the directory tables)
from directory.db.base import Base
from directory.gateway import models as gateway_models  # noqa: F401  (chat table)
from directory.logs import models as log_models  # noqa: F401  (conversation logs)
from directory.review import models as review_models  # noqa: F401  (flags)
from directory.seed import alembic_config
from directory.staff import models as staff_models  # noqa: F401  (staff tables)

# Every table of the models that the migrations in directory/migrations create.
MODEL_TABLES = set(Base.metadata.tables)


def test_migration_creates_model_tables(engine: Engine) -> None:
    assert MODEL_TABLES <= set(inspect(engine).get_table_names())


def test_migration_matches_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, Base.metadata)

    assert differences == []


def test_downgrade_removes_tables(database_url: str, engine: Engine) -> None:
    command.downgrade(alembic_config(database_url), "base")

    assert not MODEL_TABLES & set(inspect(engine).get_table_names())


@pytest.mark.parametrize("table_name", ["service", "phone", "attribute", "metadata"])
def test_sqlite_foreign_keys_enforced(engine: Engine, table_name: str) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the foreign key pragma exists only on SQLite")

    with engine.connect() as connection:
        enabled = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()

    assert enabled == 1
    assert inspect(engine).has_table(table_name)
