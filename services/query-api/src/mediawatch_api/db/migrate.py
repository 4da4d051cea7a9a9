"""Run the Alembic migrations programmatically, into a chosen schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str, schema: str) -> Config:
    """An Alembic configuration for ``schema`` (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    config.attributes["schema"] = schema
    return config


def upgrade(url: str, schema: str, revision: str = "head") -> None:
    """Create ``schema`` if needed and migrate it to ``revision``."""
    command.upgrade(alembic_config(url, schema), revision)
