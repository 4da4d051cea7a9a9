"""What the aggregator keeps per stage: panes and a small meta record, under string keys.

Keys start with the stage symbol, so the stage alone decides the table partition:
``MERGING|pane|<start µs>`` holds a :class:`~mediawatch_aggregator.windowing.panes.Pane`,
``MERGING|meta`` a :class:`StageMeta`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mediawatch_aggregator.windowing.panes import Pane

SEPARATOR = "|"


def pane_key(stage: str, start: int) -> str:
    """Key of the pane of ``stage`` starting at ``start`` (µs)."""
    return f"{stage}{SEPARATOR}pane{SEPARATOR}{start}"


def meta_key(stage: str) -> str:
    """Key of the meta record of ``stage``."""
    return f"{stage}{SEPARATOR}meta"


def pane_prefix(stage: str) -> str:
    """Prefix shared by every pane key of ``stage``."""
    return f"{stage}{SEPARATOR}pane{SEPARATOR}"


def stage_of(key: str) -> str:
    """The stage symbol a key belongs to."""
    return key.split(SEPARATOR, 1)[0]


@dataclass(slots=True)
class StageMeta:
    """Per window spec, the start of the last closed window of a stage.

    Attributes:
        closed: Window spec label -> start (µs) of the latest window already closed.
    """

    closed: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {"closed": dict(self.closed)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StageMeta:
        """Rebuilds what :meth:`to_dict` wrote (older records' per-partition clocks are
        ignored: the clock now comes from the ingest's progress reports)."""
        return cls({k: int(v) for k, v in data["closed"].items()})


StateValue = Pane | StageMeta


def dumps(value: StateValue) -> bytes:
    """Serialises a pane or a meta record for the changelog."""
    kind = "pane" if isinstance(value, Pane) else "meta"
    return json.dumps({"kind": kind, "data": value.to_dict()}, separators=(",", ":")).encode()


def loads(data: bytes) -> StateValue:
    """Reads what :func:`dumps` wrote.

    Raises:
        ValueError: The bytes are not a state value.
    """
    doc = json.loads(data)
    if doc.get("kind") == "pane":
        return Pane.from_dict(doc["data"])
    if doc.get("kind") == "meta":
        return StageMeta.from_dict(doc["data"])
    raise ValueError(f"not an aggregator state value: {doc.get('kind')!r}")
