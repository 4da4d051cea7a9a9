"""Which offsets are safe to commit: everything below the oldest message not yet delivered."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Token:
    """Where a message was read."""

    topic: str
    partition: int
    offset: int


class PendingOffsets:
    """Reference counts per consumed message; the commit position stops at the first held one.

    Every consumed message is :meth:`seen` (holding it once); whoever still needs it
    :meth:`hold`\\ s it again, and each hold is :meth:`release`\\ d when its work is done
    (delivered or finally failed). A crash thus re-reads what was not finished: at most a
    duplicate message, never a lost one.
    """

    def __init__(self) -> None:
        self._held: dict[tuple[str, int], dict[int, int]] = defaultdict(dict)
        self._next: dict[tuple[str, int], int] = {}

    def seen(self, token: Token) -> None:
        """A message was consumed (held once)."""
        key = (token.topic, token.partition)
        self._held[key][token.offset] = self._held[key].get(token.offset, 0) + 1
        self._next[key] = max(self._next.get(key, 0), token.offset + 1)

    def hold(self, token: Token) -> None:
        """One more piece of work needs the message."""
        held = self._held[(token.topic, token.partition)]
        held[token.offset] = held.get(token.offset, 0) + 1

    def release(self, token: Token) -> None:
        """One piece of work on the message is finished."""
        held = self._held[(token.topic, token.partition)]
        left = held.get(token.offset, 0) - 1
        if left > 0:
            held[token.offset] = left
        else:
            held.pop(token.offset, None)

    def committable(self) -> dict[tuple[str, int], int]:
        """Per partition, the offset to commit (the next message to read after a restart)."""
        return {
            key: min(self._held[key], default=end) if self._held.get(key) else end
            for key, end in self._next.items()
        }

    @property
    def outstanding(self) -> int:
        """Messages still held."""
        return sum(len(h) for h in self._held.values())
