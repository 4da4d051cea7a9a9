"""A leveled threshold on one numeric field of one event type (built-ins and YAML rules)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mediawatch_alerter.alerts.finding import Finding, fingerprint
from mediawatch_alerter.rules.base import (
    LevelOf,
    Rule,
    Threshold,
    field_value,
    level_for,
    plain,
    render,
)
from mediawatch_alerter.rules.failure import failure_metadata
from mediawatch_common.events import Event, Stage, StageCompleted


@dataclass(frozen=True, slots=True)
class ThresholdSpec:
    """What to compare and how to describe it.

    ``labels`` and ``context`` are dotted field paths; the label name is the last segment
    (``producer.host`` -> ``host``). ``where`` keeps only events whose fields equal the given
    values (compared as labels: enums lower-case). With ``below`` the value must fall under
    the thresholds instead of rising over them.
    """

    name: str
    event_type: type[Any]
    field: str
    thresholds: tuple[Threshold, ...]
    labels: tuple[str, ...]
    title: str
    message: str
    context: tuple[str, ...] = ()
    where: Mapping[str, str] = dataclasses.field(default_factory=dict)
    below: bool = False
    for_seconds: float = 0.0
    valid_for_seconds: float | None = None


class ThresholdRule(Rule):
    """Evaluates one :class:`ThresholdSpec`; clears when the value is back (with hysteresis)."""

    def __init__(self, spec: ThresholdSpec) -> None:
        self.spec = spec
        self.emits = {spec.name: spec.valid_for_seconds}

    def on_event(self, event: Event, level_of: LevelOf) -> Sequence[Finding]:
        spec = self.spec
        if not isinstance(event, spec.event_type) or not self._selected(event):
            return ()
        raw = field_value(event, spec.field)
        if not isinstance(raw, int | float) or isinstance(raw, bool):
            return ()
        labels = {_name(p): str(plain(field_value(event, p))) for p in spec.labels}
        sign = -1.0 if spec.below else 1.0
        current = level_of(fingerprint(spec.name, labels))
        reached = level_for(sign * raw, self._signed(sign), current)
        if reached is None:
            return (
                Finding(rule=spec.name, labels=labels, level=None, reason="value back to normal"),
            )
        threshold = sign * reached.above
        values = {**_fields(event), **labels, "value": raw, "threshold": threshold}
        return (
            Finding(
                rule=spec.name,
                labels=labels,
                level=reached.level,
                title=render(spec.title, values),
                message=render(spec.message, values),
                context={_name(p): str(plain(field_value(event, p))) for p in spec.context},
                session_id=_str(getattr(event, "session_id", None)),
                user_id=_str(getattr(event, "user_id", None)),
                stage=_stage(event),
                metadata={spec.field: raw, "threshold": threshold, **_metadata(event)},
                starts_at=event.event_time,
                for_seconds=spec.for_seconds,
                valid_for_seconds=spec.valid_for_seconds,
                per_event=spec.event_type is StageCompleted,  # each stage run is one occurrence
            ),
        )

    def _selected(self, event: Event) -> bool:
        return all(
            str(plain(field_value(event, path))).lower() == str(value).lower()
            for path, value in self.spec.where.items()
        )

    def _signed(self, sign: float) -> tuple[Threshold, ...]:
        return tuple(
            Threshold(t.level, sign * t.above, sign * t.clear) for t in self.spec.thresholds
        )


def _name(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def _stage(event: Event) -> Stage | None:
    stage = getattr(event, "stage", None)
    return stage if isinstance(stage, Stage) else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _fields(event: Event) -> dict[str, Any]:
    values: dict[str, Any] = {"host": event.producer.host}
    for name in getattr(event, "__dataclass_fields__", {}):
        value = getattr(event, name)
        if isinstance(value, bool | int | float | str) or hasattr(value, "value"):
            values[name] = plain(value)
    return values


def _metadata(event: Event) -> dict[str, Any]:
    return failure_metadata(event) if isinstance(event, StageCompleted) else {}
