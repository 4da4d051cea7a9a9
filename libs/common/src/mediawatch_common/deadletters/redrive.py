"""Send dead letters back to the topic they came from, and record that it was done."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from mediawatch_common.deadletters.letters import REDRIVEN_AT, REDRIVEN_FROM, DeadLetter
from mediawatch_common.deadletters.reading import DeadLetterLog
from mediawatch_common.events import DeadLetterRedriven, Event, Producer
from mediawatch_common.kafka.producer import EventProducer


@dataclass(frozen=True, slots=True)
class Choice:
    """A dead letter chosen for a re-drive: sent (``forced`` if it still fails to decode)
    or refused (``refusal`` says why)."""

    letter: DeadLetter
    forced: bool = False
    refusal: str | None = None


def choose(
    letters: Sequence[DeadLetter],
    log: DeadLetterLog,
    decode: Callable[[bytes], Event],
    *,
    force: bool = False,
    again: bool = False,
) -> list[Choice]:
    """Decide, for each of ``letters``, whether it may be sent back (pure but for ``decode``).

    A letter is refused when it has no origin topic, when it was already re-driven (unless
    ``again``), or when it still fails to decode with the current schemas (unless ``force``).
    """
    chosen = []
    for letter in letters:
        if not letter.origin_topic:
            chosen.append(Choice(letter, refusal="no mw-origin-topic header"))
            continue
        done = log.redriven(letter)
        if done and not again:
            when = f"{done[-1].event_time:%Y-%m-%d %H:%M:%S}Z"
            chosen.append(Choice(letter, refusal=f"already re-driven at {when} (--again)"))
            continue
        try:
            decode(letter.value)
        except Exception as exc:
            if not force:
                why = f"still fails to decode: {type(exc).__name__}: {exc} (--force)"
                chosen.append(Choice(letter, refusal=why))
                continue
            chosen.append(Choice(letter, forced=True))
            continue
        chosen.append(Choice(letter))
    return chosen


def redriven_headers(letter: DeadLetter, now: datetime) -> list[tuple[str, bytes]]:
    """Headers of the copy sent back: which dead letter it is, and when it was sent."""
    origin = f"{letter.topic}:{letter.partition}@{letter.offset}"
    return [(REDRIVEN_FROM, origin.encode()), (REDRIVEN_AT, now.isoformat().encode())]


def redrive(
    choice: Choice,
    producer: EventProducer,
    encode: Callable[[Event], bytes],
    who: Producer,
    actor: str | None,
    now: datetime,
) -> DeadLetterRedriven:
    """Send one chosen dead letter back, wait for the acknowledgement, then write and wait
    for its ``DeadLetterRedriven`` on the dead-letter topic.

    Raises:
        DeliveryError: either send was not acknowledged (nothing is recorded if the first
            was not).
    """
    letter = choice.letter
    sent = producer.send(
        letter.origin_topic, letter.value, key=letter.key, headers=redriven_headers(letter, now)
    )
    event = DeadLetterRedriven(
        event_time=now,
        producer=who,
        deadletter_partition=letter.partition,
        deadletter_offset=letter.offset,
        origin_topic=letter.origin_topic,
        origin_partition=letter.origin_partition,
        origin_offset=letter.origin_offset,
        redriven_partition=sent.partition,
        redriven_offset=sent.offset,
        consumer_group=letter.consumer_group,
        reason=letter.reason,
        forced=choice.forced,
        actor=actor,
    )
    producer.send(letter.topic, encode(event), key=letter.key)
    return event
