"""Connections bound to one PostgreSQL schema (the projections' ``search_path``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import psycopg

if TYPE_CHECKING:
    from sqlalchemy import Engine


def sqlalchemy_url(url: str) -> str:
    """Turns a ``postgresql://`` URL into SQLAlchemy's psycopg 3 form."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must start with postgresql://")


def _options(schema: str) -> str:
    return f"-csearch_path={schema},public -cstatement_timeout=30000"


def make_engine(url: str, schema: str, pool_size: int = 5) -> Engine:
    """A pooled engine whose connections resolve table names in ``schema``."""
    # Imported here: SQLAlchemy takes about a second to import, which the projector (plain
    # psycopg) does not need to pay at start-up.
    from sqlalchemy import create_engine

    return create_engine(
        sqlalchemy_url(url),
        pool_size=pool_size,
        pool_pre_ping=True,
        connect_args={"options": _options(schema), "connect_timeout": 5},
    )


def connect(url: str, schema: str) -> psycopg.Connection[tuple[object, ...]]:
    """A plain psycopg connection (for COPY) whose ``search_path`` is ``schema``."""
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    return psycopg.connect(plain, options=_options(schema), connect_timeout=5)
