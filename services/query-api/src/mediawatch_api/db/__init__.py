"""PostgreSQL access: connection URLs, the schema's migrations."""

from __future__ import annotations

from mediawatch_api.db.engine import connect, make_engine, sqlalchemy_url
from mediawatch_api.db.migrate import ensure_migrated, upgrade

__all__ = ["connect", "ensure_migrated", "make_engine", "sqlalchemy_url", "upgrade"]
