"""Read the dead-letter topic back: its dead letters and the re-drives recorded beside them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from confluent_kafka import Message

from mediawatch_common.deadletters.letters import DeadLetter, from_message
from mediawatch_common.events import DeadLetterRedriven, Event

Decode = Callable[[bytes], Event]


@dataclass(slots=True)
class DeadLetterLog:
    """The dead-letter topic as read: dead letters in log order, re-drives by dead letter."""

    letters: list[DeadLetter] = field(default_factory=list)
    redrives: dict[tuple[int, int], list[DeadLetterRedriven]] = field(default_factory=dict)
    other: int = 0
    """Messages that are neither a dead letter nor a decodable ``DeadLetterRedriven``."""

    def redriven(self, letter: DeadLetter) -> list[DeadLetterRedriven]:
        """Every recorded re-drive of ``letter``, oldest first."""
        return self.redrives.get((letter.partition, letter.offset), [])

    def find(self, partition: int, offset: int) -> DeadLetter | None:
        """The dead letter at ``partition:offset``, if there is one."""
        return next(
            (x for x in self.letters if (x.partition, x.offset) == (partition, offset)), None
        )


def fold(messages: Iterable[Message], decode: Decode) -> DeadLetterLog:
    """Sort the dead-letter topic's messages into dead letters and recorded re-drives."""
    log = DeadLetterLog()
    for msg in messages:
        letter = from_message(msg)
        if letter is not None:
            log.letters.append(letter)
            continue
        try:
            event = decode(msg.value() or b"")
        except Exception:
            log.other += 1
            continue
        if not isinstance(event, DeadLetterRedriven):
            log.other += 1
            continue
        where = (event.deadletter_partition, event.deadletter_offset)
        log.redrives.setdefault(where, []).append(event)
    return log
