"""A labelled histogram whose text is written again only when it changed.

A pipeline histogram (stages x outcomes x buckets) is most of a service's series but changes
a few times a minute, while Prometheus scrapes it every few seconds. ``prometheus_client``'s
``Histogram`` builds every bucket sample anew on each scrape; this one keeps its rendered text
until the next observation. It is a ``prometheus_client`` collector: registries, ``collect()``
and ``generate_latest`` see an ordinary histogram family.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from mediawatch_common.metrics.exposition import number, series_head


@dataclass(slots=True)
class _Series:
    counts: list[int]
    total: float = 0.0


@dataclass(slots=True)
class HistogramChild:
    """One label set of a :class:`LabelledHistogram`."""

    owner: LabelledHistogram
    key: tuple[str, ...]
    series: _Series = field(repr=False)

    def observe(self, value: float) -> None:
        """Count ``value`` in its bucket."""
        self.owner.observe_series(self.series, value)


class RenderedHistogram(HistogramMetricFamily):
    """A histogram family that also carries its text; its samples are built when read."""

    def __init__(self, owner: LabelledHistogram, text: str) -> None:
        Metric.__init__(self, owner.name, owner.documentation, "histogram")
        self.text = text
        self._owner = owner
        self._built: list[object] | None = None  # Metric.__init__ set it to []

    @property  # type: ignore[override]
    def samples(self) -> list[object]:
        if self._built is None:
            family = self._owner.family()
            self._built = list(family.samples)
        return self._built

    @samples.setter
    def samples(self, value: list[object]) -> None:
        self._built = value


class LabelledHistogram(Collector):
    """A histogram with label names, cumulative buckets, ``_count`` and ``_sum``."""

    def __init__(
        self,
        name: str,
        documentation: str,
        labelnames: Sequence[str],
        buckets: Sequence[float],
        registry: CollectorRegistry | None = REGISTRY,
    ) -> None:
        self.name, self.documentation = name, documentation
        self._labelnames = tuple(labelnames)
        self._bounds = [float(b) for b in buckets if not math.isinf(b)]
        self._les = [number(b) for b in self._bounds] + ["+Inf"]
        self._series: dict[tuple[str, ...], _Series] = {}
        self._lock = threading.Lock()
        self._version = 0
        self._text: tuple[int, str] | None = None
        self._heads: dict[tuple[str, ...], list[str]] = {}
        if registry is not None:
            registry.register(self)

    def labels(self, *values: str) -> HistogramChild:
        """The child of one label set (created at zero on first use)."""
        key = tuple(str(v) for v in values)
        if len(key) != len(self._labelnames):
            raise ValueError(f"{self.name} takes labels {self._labelnames}, got {key}")
        with self._lock:
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = _Series([0] * (len(self._bounds) + 1))
                self._version += 1
        return HistogramChild(self, key, series)

    def observe_series(self, series: _Series, value: float) -> None:
        """Count ``value`` in ``series`` (a child's)."""
        with self._lock:
            series.counts[bisect.bisect_left(self._bounds, value)] += 1
            series.total += value
            self._version += 1

    def describe(self) -> list[Metric]:
        return [HistogramMetricFamily(self.name, self.documentation, labels=self._labelnames)]

    def collect(self) -> Iterator[Metric]:
        yield RenderedHistogram(self, self.text())

    def _snapshot(self) -> tuple[int, list[tuple[tuple[str, ...], list[int], float]]]:
        with self._lock:
            items = [(k, list(s.counts), s.total) for k, s in self._series.items()]
            return self._version, items

    def family(self) -> HistogramMetricFamily:
        """The family with every sample (for ``prometheus_client``'s writers and parsers)."""
        family = HistogramMetricFamily(self.name, self.documentation, labels=self._labelnames)
        for key, counts, total in self._snapshot()[1]:
            cumulative, acc = [], 0
            for le, count in zip(self._les, counts, strict=True):
                acc += count
                cumulative.append((le, float(acc)))
            family.add_metric(list(key), cumulative, total)
        return family

    def _heads_of(self, key: tuple[str, ...]) -> list[str]:
        """The heads of one label set: each bucket's, then ``_count``'s and ``_sum``'s."""
        labels = dict(zip(self._labelnames, key, strict=True))
        buckets = [series_head(self.name + "_bucket", {**labels, "le": le}) for le in self._les]
        ends = [series_head(self.name + suffix, labels) for suffix in ("_count", "_sum")]
        return buckets + ends

    def text(self) -> str:
        """The samples in the text format; written again only after a change."""
        version, items = self._snapshot()
        cached = self._text
        if cached is not None and cached[0] == version:
            return cached[1]
        lines = []
        for key, counts, total in items:
            heads = self._heads.get(key) or self._heads.setdefault(key, self._heads_of(key))
            acc = 0
            for head, count in zip(heads, counts, strict=False):
                acc += count
                lines.append(f"{head}{number(acc)}\n")
            lines.append(f"{heads[-2]}{number(acc)}\n{heads[-1]}{number(total)}\n")
        text = "".join(lines)
        self._text = (version, text)
        return text
