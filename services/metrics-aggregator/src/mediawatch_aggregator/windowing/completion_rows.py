"""The compact form of one stage completion that the ingest hands to the aggregation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from mediawatch_aggregator.windowing.watermark import Progress


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


RowValues = Sequence[Any]
"""A row as its six values in :class:`Row`'s field order: a Row, or the plain tuple the hot
paths build (a named tuple's constructor costs more than the rest of reading a row)."""

FIELDS = len(Row._fields)


def pack_rows(stage: str, rows: Sequence[RowValues]) -> bytes:
    """Encodes the rows of one stage as one message of the internal batches topic."""
    return json.dumps({"v": 1, "stage": stage, "rows": rows}, separators=(",", ":")).encode()


def pack_progress(progress: Progress) -> bytes:
    """Encodes an ingest progress report as one message of the internal batches topic."""
    doc = {
        "n": progress.partitions,
        "high": {str(p): t for p, t in progress.high.items()},
        "confirmed": {str(p): t for p, t in progress.confirmed.items()},
    }
    return json.dumps({"v": 1, "progress": doc}, separators=(",", ":")).encode()


def unpack(data: bytes) -> tuple[str, list[RowValues]] | Progress:
    """Decodes a message written by :func:`pack_rows` or :func:`pack_progress`.

    Raises:
        ValueError: The message is neither (``KeyError``/``TypeError`` on a damaged one).
    """
    doc = json.loads(data)
    if not isinstance(doc, dict) or doc.get("v") != 1:
        raise ValueError("not a row batch or progress report of version 1")
    if "progress" in doc:
        report = doc["progress"]
        return Progress(
            int(report["n"]),
            {int(p): int(t) for p, t in report["high"].items()},
            {int(p): int(t) for p, t in report["confirmed"].items()},
        )
    rows: list[RowValues] = list(map(tuple, doc["rows"]))
    if any(len(row) != FIELDS for row in rows):
        raise ValueError(f"a row without its {FIELDS} values")
    return str(doc["stage"]), rows


def unpack_rows(data: bytes) -> tuple[str, list[RowValues]]:
    """Decodes a message written by :func:`pack_rows`.

    Raises:
        ValueError: The message is not a batch of rows.
    """
    found = unpack(data)
    if isinstance(found, Progress):
        raise ValueError("not a row batch: a progress report")
    return found
