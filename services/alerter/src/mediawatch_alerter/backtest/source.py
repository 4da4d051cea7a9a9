"""The recorded history a backtest replays: several topics merged in event-time order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from mediawatch_common.events import Event, SilenceCreated, SilenceExpired
from mediawatch_common.kafka import Record
from mediawatch_common.replay import Bound, HistoryReader, Progress


def in_slice(when: datetime, start: Bound | None, end: Bound | None) -> bool:
    """Whether an event time lies in ``[start, end)`` (offset bounds cut in the log only)."""
    if start is not None and start.time is not None and when < start.time:
        return False
    return end is None or end.time is None or when < end.time


def read_inputs(
    reader: HistoryReader,
    topics: Sequence[str],
    start: Bound | None,
    end: Bound | None,
    progress: Progress | None = None,
) -> list[Record[Event]]:
    """The records of ``topics`` whose event time lies in the slice."""
    return [
        r
        for r in reader.read(topics, start, end, progress)
        if in_slice(r.event.event_time, start, end)
    ]


def read_silences(
    reader: HistoryReader, alerts_topic: str, end: Bound | None
) -> list[Record[Event]]:
    """Every silence event recorded before ``end``: one created before the slice may apply.

    The alerts topic is read from its beginning; an offset ``end`` (which names positions in
    the input topics) does not apply to it.
    """
    cut = end if end is not None and end.time is not None else None
    return [
        r
        for r in reader.read([alerts_topic], None, cut)
        if isinstance(r.event, SilenceCreated | SilenceExpired)
        and in_slice(r.event.event_time, None, cut)
    ]


def in_event_time_order(records: Sequence[Record[Event]]) -> list[Event]:
    """Merge the topics: by event time, ties in log order."""
    ordered = sorted(records, key=lambda r: (r.event.event_time, r.topic, r.partition, r.offset))
    return [r.event for r in ordered]
