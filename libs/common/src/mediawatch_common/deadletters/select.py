"""Which dead letters a command works on: filters and ``partition:offset`` positions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mediawatch_common.deadletters.letters import DeadLetter


@dataclass(frozen=True, slots=True)
class DeadLetterFilter:
    """Every given criterion must hold; an empty filter keeps every dead letter.

    ``origin_topics`` are full topic names; ``reasons`` match case-insensitively anywhere in
    the reason; ``since``/``until`` bound the time it was dead-lettered (``until`` exclusive).
    """

    origin_topics: frozenset[str] = frozenset()
    reasons: tuple[str, ...] = ()
    groups: frozenset[str] = frozenset()
    since: datetime | None = None
    until: datetime | None = None
    positions: frozenset[tuple[int, int]] = frozenset()

    @property
    def empty(self) -> bool:
        """True when no criterion was given."""
        return not (
            self.origin_topics or self.reasons or self.groups or self.since or self.until
            or self.positions
        )  # fmt: skip

    def matches(self, letter: DeadLetter) -> bool:
        """True when ``letter`` passes every criterion that was given."""
        if self.positions and (letter.partition, letter.offset) not in self.positions:
            return False
        if self.origin_topics and letter.origin_topic not in self.origin_topics:
            return False
        if self.groups and letter.consumer_group not in self.groups:
            return False
        if self.since is not None and letter.failed_at < self.since:
            return False
        if self.until is not None and letter.failed_at >= self.until:
            return False
        reason = letter.reason.lower()
        return not self.reasons or any(r.lower() in reason for r in self.reasons)


def parse_position(text: str) -> tuple[int, int]:
    """``3:1234`` -> (3, 1234); a bare offset is in partition 0.

    Raises:
        ValueError: naming the accepted forms.
    """
    partition, _, offset = text.strip().rpartition(":")
    try:
        found = (int(partition or 0), int(offset))
    except ValueError:
        raise ValueError(f"not a position: {text!r} (use an offset like 17 or 0:17)") from None
    if min(found) < 0:
        raise ValueError(f"not a position: {text!r} (offsets are not negative)")
    return found
