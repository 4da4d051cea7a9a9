"""Results of many windows of one size over the same panes, computed by sliding.

Merging every pane of every window costs (windows x panes per window) sketch merges: for the
hour-long windows hopping each minute, sixty merges per window. Sliding over the sorted panes
adds each pane once when it enters and subtracts it once when it leaves: counts, codes and
sketch buckets are integers, so subtracting is exact. Sums, minima and maxima are taken over
the window's panes in start order, the same arithmetic as a fresh merge, so a window's result
does not depend on which other windows were computed with it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping

from mediawatch_aggregator.pane import Outcomes, Pane


class _Running:
    """Integer totals of the panes currently inside the window."""

    def __init__(self) -> None:
        self.attempts = 0
        self.successes = 0
        self.late = 0
        self.zeros = 0
        self.codes: Counter[str] = Counter()
        self.bins: dict[int, int] = {}

    def add(self, pane: Pane, sign: int) -> None:
        out = pane.outcomes
        self.attempts += sign * out.attempts
        self.successes += sign * out.successes
        self.late += sign * pane.late
        self.zeros += sign * out.sketch.zeros
        for code, n in out.failures_by_code.items():
            self.codes[code] += sign * n
        # A plain dict, bucket by bucket: the hot loop of a closing pass (a sketch has up to a
        # few hundred buckets, and an hour-long window slides by one pane per result).
        bins, get = self.bins, self.bins.get
        for key, n in out.sketch.bins.items():
            total = get(key, 0) + sign * n
            if total:
                bins[key] = total
            else:
                del bins[key]


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
    running = _Running()
    lo = hi = 0  # running holds the panes order[lo:hi]
    for start in sorted(starts):
        end = start + size
        while hi < len(order) and order[hi] < end:
            running.add(panes[order[hi]], 1)
            hi += 1
        while lo < hi and order[lo] < start:
            running.add(panes[order[lo]], -1)
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
    out.sketch.bins = dict(running.bins)
    out.sketch.zeros = running.zeros
    out.sketch.count = running.zeros + sum(running.bins.values())
    return out
