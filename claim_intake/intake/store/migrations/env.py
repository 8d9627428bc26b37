"""Alembic environment: runs on the connection ``claim_intake.intake.store.migrate`` hands it."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from claim_intake.intake.store.db import Base

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        # `alembic` run by hand (e.g. `alembic revision --autogenerate`): the URL from its config.
        engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
        with engine.begin() as connection:
            _migrate(connection)
        return
    _migrate(connection)


def _migrate(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run()
