"""How dead letters are shown: a table row, a JSON line, the full record of ``show``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from mediawatch_common.deadletters.letters import DeadLetter
from mediawatch_common.events import DeadLetterRedriven, Event, event_name, to_record

SHOWN_BYTES = 64
"""How much of an undecodable payload ``show`` prints in hex."""


def status(redrives: list[DeadLetterRedriven]) -> str:
    """``pending``, or when and where it was last re-driven."""
    if not redrives:
        return "pending"
    last = redrives[-1]
    where = f"{last.origin_topic}[{last.redriven_partition}]@{last.redriven_offset}"
    forced = ", forced" if last.forced else ""
    return f"re-driven {last.event_time:%Y-%m-%d %H:%M:%S}Z to {where}{forced}"


def as_json(letter: DeadLetter, redrives: list[DeadLetterRedriven]) -> str:
    """One JSON object per dead letter, for tools."""
    body = {
        "position": letter.where,
        "failed_at": letter.failed_at.isoformat(),
        "origin_topic": letter.origin_topic,
        "origin_partition": letter.origin_partition,
        "origin_offset": letter.origin_offset,
        "consumer_group": letter.consumer_group,
        "reason": letter.reason,
        "reason_class": letter.reason_class,
        "size_bytes": len(letter.value),
        "redriven": [e.event_time.isoformat() for e in redrives],
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def decode_attempt(letter: DeadLetter, decode: Callable[[bytes], Event]) -> list[str]:
    """What the current schemas make of the payload: the event, or the error and its bytes."""
    try:
        event = decode(letter.value)
    except Exception as exc:
        head = letter.value[:SHOWN_BYTES].hex(" ")
        more = " ..." if len(letter.value) > SHOWN_BYTES else ""
        return [f"fails: {type(exc).__name__}: {exc}", f"bytes: {head}{more}"]
    record = json.dumps(to_record(event), default=_plain, indent=2, ensure_ascii=False)
    return [f"decodes as {event_name(event)}:", *record.splitlines()]


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def describe(
    letter: DeadLetter, redrives: list[DeadLetterRedriven], decode: Callable[[bytes], Event]
) -> list[str]:
    """Every line ``deadletters show`` prints for one dead letter."""
    key = letter.key.decode(errors="replace") if letter.key is not None else "(none)"
    lines = [
        f"dead letter  {letter.where} in {letter.topic}",
        f"failed at    {letter.failed_at.isoformat()}",
        f"origin       {letter.origin_topic}[{letter.origin_partition}]@{letter.origin_offset}",
        f"consumer     {letter.consumer_group}",
        f"reason       {letter.reason}",
        f"key          {key}",
        f"payload      {len(letter.value)} bytes",
        "headers",
        *(f"  {name}: {value.decode(errors='replace')}" for name, value in letter.headers),
        "decode now",
        *(f"  {line}" for line in decode_attempt(letter, decode)),
        f"status       {status(redrives)}",
    ]
    for event in redrives:
        who = f" by {event.actor}" if event.actor else ""
        lines.append(f"  re-driven {event.event_time.isoformat()}{who} (event {event.event_id})")
    return lines
