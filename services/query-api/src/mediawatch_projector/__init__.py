"""The projector, the write side: every topic into PostgreSQL tables, exactly once.

``mediawatch run projector`` consumes the topics and writes each batch's rows with the group's
positions in one transaction; ``mediawatch rebuild`` replays the whole log into a fresh schema
and switches to it. The query API (:mod:`mediawatch_api`) only reads what this writes.
"""

from __future__ import annotations

from mediawatch_projector.batch_rows import Rows
from mediawatch_projector.event_rows import build_rows
from mediawatch_projector.service import Projection, build_loop
from mediawatch_projector.session_fold import SessionState, fold

__all__ = ["Projection", "Rows", "SessionState", "build_loop", "build_rows", "fold"]
