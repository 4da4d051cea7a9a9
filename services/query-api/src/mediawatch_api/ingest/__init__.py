"""HTTP ingest: events from pipelines in any language, checked against the contract and
appended once per event id across every API process."""

from __future__ import annotations

from mediawatch_api.ingest.append_once import Appended, NotAppendedError, OnceAppender
from mediawatch_api.ingest.claims import ClaimStore, ClaimStoreError
from mediawatch_api.ingest.parse import (
    INGESTIBLE,
    InvalidEventError,
    Parsed,
    parse_batch,
)
from mediawatch_api.ingest.pruning import EventIdPruner

__all__ = [
    "INGESTIBLE",
    "Appended",
    "ClaimStore",
    "ClaimStoreError",
    "EventIdPruner",
    "InvalidEventError",
    "NotAppendedError",
    "OnceAppender",
    "Parsed",
    "parse_batch",
]
