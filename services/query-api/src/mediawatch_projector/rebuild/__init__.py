"""Rebuild every projection from offset zero into a fresh schema, then switch atomically."""

from __future__ import annotations

from mediawatch_projector.rebuild.run import Rebuild, RebuildReport
from mediawatch_projector.rebuild.swap import KEPT_TABLES, staging_schema

__all__ = ["KEPT_TABLES", "Rebuild", "RebuildReport", "staging_schema"]
