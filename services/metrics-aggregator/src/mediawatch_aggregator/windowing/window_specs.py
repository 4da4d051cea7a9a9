"""Window geometry: sizes, hops, panes and which windows contain which pane.

Every window is a union of *panes*, the largest interval that divides every window size and
hop. An event updates one pane; a window's result is the merge of its panes. Windows are
aligned on the Unix epoch: a window of hop ``H`` starts at a multiple of ``H``. Times are
integer microseconds since the epoch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

MICROS = 1_000_000


@dataclass(frozen=True, slots=True, order=True)
class WindowSpec:
    """A window size and the distance between window starts (equal for tumbling windows)."""

    size_seconds: int
    hop_seconds: int

    def __post_init__(self) -> None:
        if self.size_seconds <= 0 or self.hop_seconds <= 0:
            raise ValueError("window size and hop must be positive")
        if self.hop_seconds > self.size_seconds:
            raise ValueError(f"hop {self.hop_seconds}s is longer than size {self.size_seconds}s")
        if self.size_seconds % self.hop_seconds:
            raise ValueError(f"size {self.size_seconds}s is not a multiple of hop")

    @property
    def size(self) -> int:
        """Size in microseconds."""
        return self.size_seconds * MICROS

    @property
    def hop(self) -> int:
        """Hop in microseconds."""
        return self.hop_seconds * MICROS

    @property
    def label(self) -> str:
        """``300s/60s``, or ``60s`` for a tumbling window."""
        if self.size_seconds == self.hop_seconds:
            return f"{self.size_seconds}s"
        return f"{self.size_seconds}s/{self.hop_seconds}s"

    def starts_containing(self, start: int, length: int) -> Iterator[int]:
        """Starts of the windows that contain the interval ``[start, start + length)``."""
        first = (start + length - self.size) // self.hop * self.hop
        if first < start + length - self.size:
            first += self.hop
        last = start // self.hop * self.hop
        return iter(range(max(first, 0), last + 1, self.hop))

    def last_closed_start(self, watermark: int) -> int:
        """Start of the latest window whose end is at or before ``watermark``."""
        return (watermark - self.size) // self.hop * self.hop


def parse_specs(text: str) -> tuple[WindowSpec, ...]:
    """Parses ``"60,300/60,3600/60"`` (size or size/hop in seconds) into sorted specs.

    Raises:
        ValueError: An entry is not a positive size, or its hop does not divide it.
    """
    specs = set()
    for item in text.replace(" ", "").split(","):
        if not item:
            continue
        size, _, hop = item.partition("/")
        try:
            specs.add(WindowSpec(int(size), int(hop or size)))
        except ValueError as exc:
            raise ValueError(f"bad window {item!r}: {exc}") from None
    if not specs:
        raise ValueError("no window given")
    return tuple(sorted(specs))


def pane_seconds(specs: Iterable[WindowSpec]) -> int:
    """The pane length: the greatest common divisor of every size and hop."""
    return math.gcd(*(n for spec in specs for n in (spec.size_seconds, spec.hop_seconds)))
