"""Turning a window result into the ``WindowAggregated`` event of the contract."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from mediawatch_aggregator.aggregation import WindowResult
from mediawatch_common.events import Producer, Stage, WindowAggregated

QUANTILES = (0.5, 0.95, 0.99)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_micros(value: int) -> datetime:
    """A UTC datetime from µs since the epoch."""
    return _EPOCH + timedelta(microseconds=value)


def to_event(result: WindowResult, producer: Producer) -> WindowAggregated:
    """The event publishing ``result``; closed results get a stable ``event_id``."""
    out = result.outcomes
    p50, p95, p99 = _clamped(result)
    event = WindowAggregated(
        producer=producer,
        window_start=from_micros(result.start),
        window_end=from_micros(result.end),
        window_seconds=result.spec.size_seconds,
        hop_seconds=result.spec.hop_seconds,
        stage=Stage(result.stage),
        attempts=out.attempts,
        successes=out.successes,
        failures=out.failures,
        error_rate=out.failures / out.attempts if out.attempts else 0.0,
        failures_by_code=dict(sorted(out.failures_by_code.items())),
        duration_count=out.attempts,
        duration_sum_seconds=out.duration_sum,
        duration_min_seconds=out.duration_min,
        duration_max_seconds=out.duration_max,
        p50_seconds=p50,
        p95_seconds=p95,
        p99_seconds=p99,
        late_events=result.late,
        closed=result.closed,
    )
    rid = result.result_id()
    return event if rid is None else dataclasses.replace(event, event_id=rid)


def _clamped(result: WindowResult) -> list[float | None]:
    """The sketch's quantiles kept within the exact min and max (which only improves them)."""
    out = result.outcomes
    low, high = out.duration_min, out.duration_max
    values = out.sketch.quantiles(QUANTILES)
    if low is None or high is None:
        return values
    return [None if v is None else min(max(v, low), high) for v in values]
