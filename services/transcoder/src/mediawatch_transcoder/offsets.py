"""Which job offsets may be committed while several jobs of a partition run at once.

A partition's offset is committed up to its oldest unfinished job: every job below it is
finished, so a restart delivers again exactly the jobs that did not finish (and some that
did, which the attempt ledger recognises as recorded). Each job taken holds a ticket; a
finish that arrives after its partition was revoked (and maybe assigned again) holds a
stale ticket and changes nothing.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

Partition = tuple[str, int]


@dataclass(slots=True)
class _Progress:
    open: dict[int, int] = field(default_factory=dict)
    next: int = 0
    committed: int = -1

    def position(self) -> int:
        return min(self.open) if self.open else self.next


@dataclass(slots=True)
class OffsetTracker:
    """Offsets taken, finished and committed, per partition (one thread uses it)."""

    _partitions: dict[Partition, _Progress] = field(default_factory=dict)
    _tickets: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def take(self, partition: Partition, offset: int) -> int:
        """Record that the job at ``offset`` started; return its ticket."""
        progress = self._partitions.setdefault(partition, _Progress())
        ticket = next(self._tickets)
        progress.open[offset] = ticket
        progress.next = max(progress.next, offset + 1)
        return ticket

    def skip(self, partition: Partition, offset: int) -> None:
        """Record a message that needs no job (dead-lettered, not a job): finished at once."""
        self.finish(partition, offset, self.take(partition, offset))

    def finish(self, partition: Partition, offset: int, ticket: int) -> bool:
        """Record that the job finished; false when its ticket is stale."""
        progress = self._partitions.get(partition)
        if progress is None or progress.open.get(offset) != ticket:
            return False
        del progress.open[offset]
        return True

    def committable(self, only: set[Partition] | None = None) -> dict[Partition, int]:
        """Positions that moved since they were last committed (the next offset to read)."""
        return {
            partition: position
            for partition, progress in self._partitions.items()
            if (only is None or partition in only)
            and (position := progress.position()) > progress.committed
        }

    def committed(self, positions: dict[Partition, int]) -> None:
        """Record that ``positions`` were committed."""
        for partition, position in positions.items():
            if (progress := self._partitions.get(partition)) is not None:
                progress.committed = max(progress.committed, position)

    def forget(self, partitions: set[Partition]) -> None:
        """Drop revoked partitions: their open jobs' finishes no longer count."""
        for partition in partitions:
            self._partitions.pop(partition, None)

    def unfinished(self) -> int:
        """Jobs taken and not finished, over every partition."""
        return sum(len(p.open) for p in self._partitions.values())
