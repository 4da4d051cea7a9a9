"""HTTP ingest: events from pipelines in any language, checked against the contract."""

from __future__ import annotations

from mediawatch_api.ingest.parse import (
    INGESTIBLE,
    InvalidEventError,
    Parsed,
    parse_batch,
)

__all__ = ["INGESTIBLE", "InvalidEventError", "Parsed", "parse_batch"]
