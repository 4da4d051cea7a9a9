"""Alembic environment: migrate the schema named in the config's attributes."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from mediawatch_store.engine import make_engine

config = context.config
schema: str = config.attributes["schema"]
engine = make_engine(config.attributes["url"], schema, pool_size=1)

with engine.connect() as connection:
    connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    connection.commit()
    context.configure(connection=connection, version_table_schema=schema, transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
