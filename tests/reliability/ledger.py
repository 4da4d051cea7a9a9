"""Ground truth of a fault test: what was produced, acknowledged and read back."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from mediawatch_common.events import decode_event
from mediawatch_common.replay import HistoryReader


@dataclass(slots=True)
class Ledger:
    """Counts per event id; ``verdict`` says what was lost or duplicated."""

    produced: set[str] = field(default_factory=set)
    acknowledged: set[str] = field(default_factory=set)
    read: Counter[str] = field(default_factory=Counter)

    def lost(self) -> set[str]:
        """Acknowledged events that never came back."""
        return self.acknowledged - set(self.read)

    def duplicated(self) -> int:
        """Extra copies read."""
        return sum(n - 1 for n in self.read.values() if n > 1)

    def report(self, fault: str) -> str:
        return (f"{fault}: produced={len(self.produced)} acknowledged={len(self.acknowledged)} "
                f"read={sum(self.read.values())} distinct={len(self.read)} "
                f"duplicated={self.duplicated()} lost={len(self.lost())}")  # fmt: skip


def read_topic(bootstrap: str, topic: str, into: Ledger) -> Ledger:
    """Count every event of ``topic`` (start to current end) into ``into.read``."""
    reader = HistoryReader(bootstrap, decode_event)
    try:
        for record in reader.read([topic], None, None):
            into.read[str(record.event.event_id)] += 1
    finally:
        reader.close()
    return into
