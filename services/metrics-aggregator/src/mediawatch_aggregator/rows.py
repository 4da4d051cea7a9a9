"""The compact form of one stage completion that the ingest hands to the aggregation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import NamedTuple


class Row(NamedTuple):
    """One StageCompleted, reduced to what the windows need, and where it was read.

    Attributes:
        partition: Partition of the pipeline topic the event was read from.
        offset: Its offset there; with ``partition`` it identifies the event for dedup.
        time: Event time, µs since the epoch.
        success: Whether the stage succeeded.
        code: Error code symbol of a failure, else None.
        duration: Stage duration in seconds.
    """

    partition: int
    offset: int
    time: int
    success: bool
    code: str | None
    duration: float


def pack_rows(stage: str, rows: Sequence[Row]) -> bytes:
    """Encodes the rows of one stage as one message of the internal batches topic."""
    return json.dumps({"v": 1, "stage": stage, "rows": rows}, separators=(",", ":")).encode()


def unpack_rows(data: bytes) -> tuple[str, list[Row]]:
    """Decodes a message written by :func:`pack_rows`.

    Raises:
        ValueError: The message is not a batch of rows.
    """
    doc = json.loads(data)
    if not isinstance(doc, dict) or doc.get("v") != 1:
        raise ValueError("not a row batch of version 1")
    return str(doc["stage"]), [Row(*item) for item in doc["rows"]]
