"""Tests of the migration that adds the address and service_at_location tables."""

from alembic import command
from sqlalchemy import Engine, inspect

from directory.seed import alembic_config

REVISION = "f3a9c1d2e001"
PREVIOUS_REVISION = "a8827863c34b"
NEW_TABLES = {"address", "service_at_location"}


def test_downgrade_drops_only_new_tables(database_url: str, engine: Engine) -> None:
    config = alembic_config(database_url)

    command.downgrade(config, PREVIOUS_REVISION)
    tables = set(inspect(engine).get_table_names())

    assert not NEW_TABLES & tables
    assert {"service", "location", "organization"} <= tables


def test_upgrade_after_downgrade_restores_tables(
    database_url: str, engine: Engine
) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, PREVIOUS_REVISION)

    command.upgrade(config, REVISION)

    inspector = inspect(engine)
    assert NEW_TABLES <= set(inspector.get_table_names())
    foreign_keys = {
        key["referred_table"]
        for key in inspector.get_foreign_keys("service_at_location")
    }
    assert foreign_keys == {"service", "location"}
