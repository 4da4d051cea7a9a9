"""One pass of the closing timer, as pure steps around the publishing the app does.

:func:`collect` gathers the due closings and changed open windows of the owned stages; the app
publishes them and awaits the acks once; :func:`finish` then stores the close marks and expires
panes. Only what was collected is marked, so rows applied while the app waits are not lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from mediawatch_aggregator.windowing.stage_aggregator import Closing, StageAggregator, WindowResult


@dataclass(slots=True)
class ClosingPass:
    """What one pass publishes, and the closings to mark once it is published."""

    results: list[WindowResult] = field(default_factory=list)
    closings: dict[str, Closing] = field(default_factory=dict)

    @property
    def closed(self) -> int:
        """How many of the results close a window for the first time."""
        return sum(len(c.results) for c in self.closings.values())


def collect(agg: StageAggregator, stages: Iterable[str], update: bool) -> ClosingPass:
    """The due closings of ``stages`` and, if ``update``, their changed open windows.

    An open window that closes in the same pass is published once, closed.
    """
    batch = ClosingPass()
    for stage in stages:
        closing = agg.due_closings(stage)
        closing_now = {(r.spec, r.start) for r in closing.results}
        batch.results += agg.updates(stage, skip=closing_now) if update else []
        batch.results += closing.results
        batch.closings[stage] = closing
    return batch


def finish(agg: StageAggregator, batch: ClosingPass) -> int:
    """Stores the close marks of a published pass and expires panes; returns panes deleted."""
    deleted = 0
    for stage, closing in batch.closings.items():
        agg.mark_closed(stage, closing)
        deleted += agg.expire(stage)
    return deleted
