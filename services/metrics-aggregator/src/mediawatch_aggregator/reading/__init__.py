"""Reading the pipeline topic: batches of events decoded into rows per stage, and progress."""

from __future__ import annotations

from mediawatch_aggregator.reading.event_decoding import RowDecoder
from mediawatch_aggregator.reading.pipeline_ingest import Batch, Ingest, Tracker, sort_batch

__all__ = ["Batch", "Ingest", "RowDecoder", "Tracker", "sort_batch"]
