"""Results of many windows of one size over the same panes, computed by sliding.

Each pane is added once as it enters the window and subtracted once as it leaves (counts and
sketch buckets are integers, so subtracting is exact); sums, minima and maxima are taken over
the window's panes in start order, so a result does not depend on the windows beside it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import accumulate
from operator import add, sub

from mediawatch_aggregator.windowing.panes import Outcomes, Pane
from mediawatch_aggregator.windowing.quantile_sketch import LogSketch


class _Running:
    """Integer totals of the panes currently inside the window.

    Sketch buckets are kept dense, one slot per bucket index from ``low``: adding or removing a
    pane is then one ``map`` over two lists in C, where a dict walk cost a Python step per
    bucket (a sketch has up to a few hundred buckets, and a window slides by one pane per
    result). Each pane's dense buckets are built once per call of :func:`window_outcomes`.
    """

    def __init__(self, low: int, width: int) -> None:
        self.attempts = 0
        self.successes = 0
        self.late = 0
        self.zeros = 0
        self.codes: Counter[str] = Counter()
        self.low = low
        self.buckets = [0] * width

    def add(self, pane: Pane, buckets: list[int], sign: int) -> None:
        out = pane.outcomes
        self.attempts += sign * out.attempts
        self.successes += sign * out.successes
        self.late += sign * pane.late
        self.zeros += sign * out.sketch.zeros
        for code, n in out.failures_by_code.items():
            self.codes[code] += sign * n
        self.buckets = list(map(add if sign > 0 else sub, self.buckets, buckets))


class WindowSketch(LogSketch):
    """A window's merged sketch kept as the dense buckets of the sliding: its quantiles come
    straight from them; the sparse ``bins`` of a :class:`LogSketch` are built only when
    something asks for them (equality)."""

    __slots__ = ("_buckets", "_low", "_sparse")

    def __init__(self, alpha: float, low: int, buckets: list[int], zeros: int) -> None:
        super().__init__(alpha)
        self._low, self._buckets = low, buckets
        self._sparse: dict[int, int] | None = None
        self.zeros = zeros
        self.count = zeros + sum(buckets)

    @property
    def bins(self) -> dict[int, int]:
        sparse = self._sparse
        if sparse is None:
            low = self._low
            sparse = self._sparse = {low + i: n for i, n in enumerate(self._buckets) if n}
        return sparse

    @bins.setter
    def bins(self, value: dict[int, int]) -> None:
        self._sparse = value

    def add(self, value: float, weight: int = 1) -> None:
        """Refused: a window's result is computed once, never counted into."""
        raise TypeError("a window's sketch is read-only")

    def merge(self, other: LogSketch) -> None:
        """Refused, as :meth:`add`."""
        raise TypeError("a window's sketch is read-only")

    def _cumulative(self) -> tuple[Sequence[int], list[int]]:
        """The dense buckets' keys and running totals, without building the sparse bins."""
        return range(self._low, self._low + len(self._buckets)), list(accumulate(self._buckets))


def window_outcomes(
    size: int, starts: Iterable[int], panes: Mapping[int, Pane], alpha: float
) -> Iterator[tuple[int, Outcomes, int]]:
    """(start, outcomes, late events) of each window ``[start, start + size)`` of ``starts``.

    Args:
        size: Window length (µs).
        starts: Window starts, in any order (they are sorted).
        panes: Panes by start (µs).
        alpha: Sketch accuracy of the panes.
    """
    order = sorted(panes)
    keys = set[int]().union(*(pane.outcomes.sketch.bins for pane in panes.values()))
    low = min(keys, default=0)
    width = max(keys) - low + 1 if keys else 0
    dense: dict[int, list[int]] = {}

    def buckets(at: int) -> list[int]:
        found = dense.get(at)
        if found is None:
            found = dense[at] = [0] * width
            for key, n in panes[at].outcomes.sketch.bins.items():
                found[key - low] = n
        return found

    running = _Running(low, width)
    lo = hi = 0  # running holds the panes order[lo:hi]
    for start in sorted(starts):
        end = start + size
        while hi < len(order) and order[hi] < end:
            running.add(panes[order[hi]], buckets(order[hi]), 1)
            hi += 1
        while lo < hi and order[lo] < start:
            running.add(panes[order[lo]], dense.pop(order[lo]), -1)
            lo += 1
        inside = [panes[p] for p in order[lo:hi]]
        yield start, _outcomes(running, inside, alpha), running.late


def _outcomes(running: _Running, inside: list[Pane], alpha: float) -> Outcomes:
    """The window's outcomes: totals from ``running``, sum, min and max from its panes."""
    out = Outcomes(alpha, running.attempts, running.successes, dict(+running.codes))
    total = 0.0
    for pane in inside:  # in start order, as a merge of the panes would add them
        each = pane.outcomes
        total += each.duration_sum
        if each.duration_min is not None:
            if out.duration_min is None or each.duration_min < out.duration_min:
                out.duration_min = each.duration_min
            if out.duration_max is None or each.duration_max > out.duration_max:  # type: ignore[operator]
                out.duration_max = each.duration_max
    out.duration_sum = total
    out.sketch = WindowSketch(alpha, running.low, running.buckets, running.zeros)
    return out
