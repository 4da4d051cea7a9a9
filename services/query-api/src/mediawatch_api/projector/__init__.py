"""The projector: consume every topic into PostgreSQL tables, exactly once."""

from __future__ import annotations

from mediawatch_api.projector.rows import Rows, build_rows
from mediawatch_api.projector.service import Projection, build_loop
from mediawatch_api.projector.sessions import SessionState, fold

__all__ = ["Projection", "Rows", "SessionState", "build_loop", "build_rows", "fold"]
