"""A mergeable quantile sketch with a relative-error guarantee (DDSketch-style log buckets).

A value ``x`` goes into bucket ``ceil(log_gamma(x))``, ``gamma = (1 + alpha) / (1 - alpha)``,
reported as ``2 * gamma**i / (gamma + 1)``: every quantile is within ``alpha`` (relative) of the
exact one, merged sketches included. Values at or below ``MIN_VALUE`` count as 0.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from itertools import accumulate
from typing import Any

DEFAULT_ALPHA = 0.01
MIN_VALUE = 1e-9


class LogSketch:
    """Counts of values per logarithmic bucket; add, merge, quantile."""

    __slots__ = ("_log_gamma", "alpha", "bins", "count", "gamma", "zeros")

    def __init__(self, alpha: float = DEFAULT_ALPHA) -> None:
        """Creates an empty sketch.

        Args:
            alpha: Relative accuracy, 0 < alpha < 1 (0.01 means every quantile is within 1%).
        """
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be in (0, 1), got {alpha}")
        self.alpha = alpha
        self.gamma = (1 + alpha) / (1 - alpha)
        self._log_gamma = math.log(self.gamma)
        self.bins: dict[int, int] = {}
        self.zeros = 0
        self.count = 0

    def key(self, value: float) -> int:
        """The bucket index of a positive value."""
        return math.ceil(math.log(value) / self._log_gamma)

    def add(self, value: float, weight: int = 1) -> None:
        """Counts ``value`` (``weight`` times)."""
        if value <= MIN_VALUE:
            self.zeros += weight
        else:
            k = math.ceil(math.log(value) / self._log_gamma)
            self.bins[k] = self.bins.get(k, 0) + weight
        self.count += weight

    def merge(self, other: LogSketch) -> None:
        """Adds every count of ``other`` (same alpha) into this sketch."""
        if other.alpha != self.alpha:
            raise ValueError("cannot merge sketches of different accuracy")
        bins = self.bins
        for k, n in other.bins.items():
            bins[k] = bins.get(k, 0) + n
        self.zeros += other.zeros
        self.count += other.count

    def quantile(self, q: float) -> float | None:
        """The value of rank ``floor(q * (count - 1))`` within ``alpha``; None when empty."""
        if self.count == 0:
            return None
        if not 0 <= q <= 1:
            raise ValueError(f"quantile must be in [0, 1], got {q}")
        rank = math.floor(q * (self.count - 1))
        if rank < self.zeros:
            return 0.0
        seen = self.zeros
        for k in sorted(self.bins):
            seen += self.bins[k]
            if seen > rank:
                return 2 * self.gamma**k / (self.gamma + 1)
        raise AssertionError("bucket counts do not add up to count")  # pragma: no cover

    def quantiles(self, qs: Sequence[float]) -> list[float | None]:
        """:meth:`quantile` of each of ``qs`` (ascending), in one pass over the buckets."""
        if self.count == 0:
            return [None] * len(qs)
        if any(not 0 <= q <= 1 for q in qs) or list(qs) != sorted(qs):
            raise ValueError(f"quantiles must be ascending within [0, 1], got {list(qs)}")
        keys, totals = self._cumulative()
        found: list[float | None] = []
        for q in qs:
            rank = math.floor(q * (self.count - 1))
            if rank < self.zeros:
                found.append(0.0)
            else:
                # The bucket of a rank is the first whose running total exceeds it.
                k = keys[bisect_right(totals, rank - self.zeros)]
                found.append(2 * self.gamma**k / (self.gamma + 1))
        return found

    def _cumulative(self) -> tuple[Sequence[int], list[int]]:
        """The bucket keys in order and the running totals of their counts (bisect and
        accumulate run in C, where a Python loop walked a few hundred buckets)."""
        keys = sorted(self.bins)
        return keys, list(accumulate(self.bins[k] for k in keys))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LogSketch):
            return NotImplemented
        return (self.alpha, self.zeros, self.bins) == (other.alpha, other.zeros, other.bins)

    __hash__ = None  # type: ignore[assignment]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (bucket keys as strings)."""
        return {"a": self.alpha, "z": self.zeros, "b": {str(k): n for k, n in self.bins.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LogSketch:
        """Rebuilds a sketch written by :meth:`to_dict`."""
        sketch = cls(float(data["a"]))
        sketch.zeros = int(data["z"])
        sketch.bins = {int(k): int(n) for k, n in data["b"].items()}
        sketch.count = sketch.zeros + sum(sketch.bins.values())
        return sketch
