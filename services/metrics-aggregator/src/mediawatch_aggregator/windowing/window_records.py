"""A window result as the ``WindowAggregated`` record of the contract.

The timer writes the Avro record directly (:func:`window_record`), which is cheaper than
building the typed event; :func:`to_event` gives the same values as a typed event.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from uuid import uuid4

from mediawatch_aggregator.windowing.stage_aggregator import WindowResult
from mediawatch_common.events import Producer, WindowAggregated, from_record

QUANTILES = (0.5, 0.95, 0.99)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_micros(value: int) -> datetime:
    """A UTC datetime from µs since the epoch."""
    return _EPOCH + timedelta(microseconds=value)


def window_record(
    result: WindowResult, producer: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """The ``WindowAggregated`` record publishing ``result`` at ``now``, from the record of
    its ``producer``; closed results get a stable ``event_id``."""
    out = result.outcomes
    p50, p95, p99 = _clamped(result)
    return {
        "event_id": result.result_id() or uuid4(),
        "event_time": now,
        "producer": producer,
        "window_start": from_micros(result.start),
        "window_end": from_micros(result.end),
        "window_seconds": result.spec.size_seconds,
        "hop_seconds": result.spec.hop_seconds,
        "stage": result.stage,
        "attempts": out.attempts,
        "successes": out.successes,
        "failures": out.failures,
        "error_rate": out.failures / out.attempts if out.attempts else 0.0,
        "failures_by_code": dict(sorted(out.failures_by_code.items())),
        "duration_count": out.attempts,
        "duration_sum_seconds": out.duration_sum,
        "duration_min_seconds": out.duration_min,
        "duration_max_seconds": out.duration_max,
        "p50_seconds": p50,
        "p95_seconds": p95,
        "p99_seconds": p99,
        "late_events": result.late,
        "closed": result.closed,
    }


def to_event(result: WindowResult, producer: Producer) -> WindowAggregated:
    """The typed event publishing ``result`` (the same values as :func:`window_record`)."""
    now = datetime.now(UTC)
    record = window_record(result, dataclasses.asdict(producer), now)
    return cast(WindowAggregated, from_record("WindowAggregated", record))


def _clamped(result: WindowResult) -> list[float | None]:
    """The sketch's quantiles kept within the exact min and max (which only improves them)."""
    out = result.outcomes
    low, high = out.duration_min, out.duration_max
    values = out.sketch.quantiles(QUANTILES)
    if low is None or high is None:
        return values
    return [None if v is None else min(max(v, low), high) for v in values]
