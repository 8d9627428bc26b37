"""Database migrations: ``upgrade head`` from code, for ``claim-intake db upgrade`` and start-up."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("claim_intake.intake.store") / "migrations"))
    return config


def upgrade(db: Engine) -> None:
    config = alembic_config()
    with db.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
