"""The Prometheus text format (0.0.4) of a registry, written for a scrape every few seconds.

``prometheus_client.generate_latest`` checks and escapes every label name of every sample on
every scrape, and repeats each series' ``_created`` sample as a gauge of its own; on a
registry of a few hundred series that takes milliseconds of the service's CPU. Here the text
before each sample's value (name and labels) is built once per series and kept, and
``_created`` samples are left out (Prometheus does not need them; they double the series).
"""

from __future__ import annotations

import math

from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_KINDS = {"info": "gauge", "stateset": "gauge", "gaugehistogram": "histogram", "unknown": "untyped"}
_SUFFIX = {"counter": "_total", "info": "_info"}
_MAX_SERIES = 100_000
"""Series whose text is kept; beyond it the cache starts again (series that come and go)."""


def number(value: float) -> str:
    """A sample value as Prometheus parses it (``+Inf``, ``-Inf``, ``NaN``, else Python's)."""
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    return repr(float(value))


def _escape(value: str) -> str:
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


def series_head(name: str, labels: dict[str, str]) -> str:
    """``name{labels} `` (labels sorted and escaped), the text before a sample's value."""
    if not labels:
        return name + " "
    pairs = ",".join(f'{key}="{_escape(value)}"' for key, value in sorted(labels.items()))
    return f"{name}{{{pairs}}} "


class TextExposition:
    """Renders ``registry`` in the Prometheus text format, keeping each series' head."""

    def __init__(self, registry: Collector) -> None:
        self._registry = registry
        self._heads: dict[tuple[str, tuple[tuple[str, str], ...]], str] = {}

    def render(self) -> bytes:
        """Every family of the registry: HELP, TYPE, then its samples."""
        heads = self._heads
        if len(heads) > _MAX_SERIES:
            heads.clear()
        out: list[str] = []
        for family in self._registry.collect():
            name = family.name + _SUFFIX.get(family.type, "")
            kind = _KINDS.get(family.type, family.type)
            doc = family.documentation.replace("\\", r"\\").replace("\n", r"\n")
            out.append(f"# HELP {name} {doc}\n# TYPE {name} {kind}\n")
            text = getattr(family, "text", None)
            if isinstance(text, str):  # a family that writes itself (LabelledHistogram)
                out.append(text)
                continue
            created = family.name + "_created"
            for sample in family.samples:
                if sample.name == created:
                    continue
                key = (sample.name, tuple(sample.labels.items()))
                head = heads.get(key)
                if head is None:
                    head = heads[key] = series_head(sample.name, sample.labels)
                value = number(sample.value)
                if sample.timestamp is None:
                    out.append(f"{head}{value}\n")
                else:
                    out.append(f"{head}{value} {int(float(sample.timestamp) * 1000)}\n")
        return "".join(out).encode()
