"""Check results and how statuses combine (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("healthy", "warning", "critical")


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One component's outcome, as in a detailed health answer's ``checks[]``."""

    component: str
    status: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    response_time_ms: float = 0.0

    def as_json(self) -> dict[str, Any]:
        """The JSON shape of one check."""
        return {
            "component": self.component,
            "status": self.status,
            "message": self.message,
            "details": self.details,
            "response_time_ms": round(self.response_time_ms, 2),
        }


def worst(statuses: list[str]) -> str:
    """The most severe status (healthy when there is none)."""
    return max(statuses, key=STATUSES.index, default="healthy")


def level_of(percent: float, warning: float, critical: float) -> str:
    """healthy below ``warning``, critical at or above ``critical``, else warning."""
    if percent >= critical:
        return "critical"
    return "warning" if percent >= warning else "healthy"


def summary(results: list[CheckResult]) -> dict[str, int]:
    """Counts per status, as in a detailed health answer's ``summary``."""
    counts = {status: sum(1 for r in results if r.status == status) for status in STATUSES}
    return {"total_checks": len(results), **counts}


def flatten(details: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested details as one level of dotted keys with scalar values (for the event)."""
    flat: dict[str, Any] = {}
    for key, value in details.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        elif isinstance(value, list | tuple):
            flat[name] = ", ".join(str(item) for item in value)
        else:
            flat[name] = value
    return flat
