"""What every rule shares: the rule interface, leveled thresholds with hysteresis, templates."""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from mediawatch_alerter.alerts.finding import Finding
from mediawatch_common.deadletters import DeadLetter
from mediawatch_common.events import AlertLevel, Event, Scalar

LevelOf = Callable[[str], AlertLevel | None]
"""Current (pending or firing) level of a fingerprint; rules need it for hysteresis."""

_RANK = {level: n for n, level in enumerate(AlertLevel)}


class Rule:
    """A rule turns events (and the passing of time) into findings. Override what applies."""

    emits: Mapping[str, float | None] = {}
    """Rule names this rule produces, with how long a firing alert holds unobserved."""

    def on_event(self, event: Event, level_of: LevelOf) -> Sequence[Finding]:
        """Findings caused by one event."""
        return ()

    def on_tick(self, now: datetime, level_of: LevelOf) -> Sequence[Finding]:
        """Findings due to the passing of time alone (stuck sessions)."""
        return ()

    def recall(self, event: Event) -> None:
        """Learn from an event read back at start, before the live input (no findings)."""

    def on_dead_letter(
        self, letter: DeadLetter, now: datetime, level_of: LevelOf
    ) -> Sequence[Finding]:
        """Findings caused by one message of the dead-letter topic."""
        return ()


@dataclass(frozen=True, slots=True)
class Threshold:
    """Active above ``above``; once active, stays active until the value drops to ``clear``."""

    level: AlertLevel
    above: float
    clear: float


def level_for(
    value: float, thresholds: Sequence[Threshold], current: AlertLevel | None
) -> Threshold | None:
    """The highest threshold ``value`` is past, with hysteresis.

    A threshold counts when the value exceeds ``above``, or when the condition is already at
    that level (or higher) and the value is still above ``clear``: a value hovering at the
    line does not flap.
    """
    reached = None
    for t in sorted(thresholds, key=lambda t: _RANK[t.level]):
        held = current is not None and _RANK[current] >= _RANK[t.level] and value > t.clear
        if value > t.above or held:
            reached = t
    return reached


class _SafeFormatter(string.Formatter):
    """``str.format`` limited to plain names: no attribute or index access from templates."""

    def get_field(self, field_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if not field_name.isidentifier():
            raise ValueError(f"template field {field_name!r} must be a plain name")
        return super().get_field(field_name, args, kwargs)


_FORMATTER = _SafeFormatter()


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill a ``{name}`` / ``{name:.1f}`` template; unknown names render as ``?``."""

    class _Defaulting(dict[str, Any]):
        def __missing__(self, key: str) -> str:
            return "?"

    try:
        return _FORMATTER.vformat(template, (), _Defaulting(values))
    except (ValueError, TypeError) as exc:
        return f"{template} [template error: {exc}]"


def plain(value: Any) -> Scalar:
    """An event field as a label or metadata value (enums by their lower-case label)."""
    if isinstance(value, Enum):
        return str(value.value).lower()
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)


def field_value(event: Any, path: str) -> Any:
    """Reads a dotted field path such as ``producer.host``; None when absent."""
    value = event
    for part in path.split("."):
        value = getattr(value, part, None)
    return value
