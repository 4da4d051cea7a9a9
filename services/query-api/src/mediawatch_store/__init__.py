"""What the projector and the query API share: PostgreSQL connections bound to one schema,
the schema's migrations, the retention that trims the projections, and the settings both read.

The write side (:mod:`mediawatch_projector`) and the read side (:mod:`mediawatch_api`) never
import each other; everything they both need lives here.
"""

from __future__ import annotations

from mediawatch_store.engine import connect, make_engine, sqlalchemy_url
from mediawatch_store.migrate import ensure_migrated, upgrade

__all__ = ["connect", "ensure_migrated", "make_engine", "sqlalchemy_url", "upgrade"]
