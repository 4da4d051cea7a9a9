"""What a rule concludes about one subject, and the fingerprint that identifies it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from mediawatch_common.events import AlertLevel, Scalar, Stage


def fingerprint(rule: str, labels: Mapping[str, str]) -> str:
    """The stable identity of a condition: rule plus identifying labels, sorted.

    Example: ``processing_failed{session_id=video_session_123,stage=merging}``.
    """
    inner = ",".join(f"{key}={labels[key]}" for key in sorted(labels))
    return f"{rule}{{{inner}}}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """A rule's verdict on one subject at one instant.

    ``level`` None means the condition is clear. ``labels`` identify the subject and make the
    fingerprint; ``context`` labels (such as the host) travel with the alert but do not split
    it. ``valid_for_seconds`` bounds how long the verdict holds without being observed again:
    a firing alert that is not re-observed in time resolves (idle pipeline, one-shot events).
    """

    rule: str
    labels: Mapping[str, str]
    level: AlertLevel | None
    title: str = ""
    message: str = ""
    context: Mapping[str, str] = field(default_factory=dict)
    session_id: str | None = None
    user_id: str | None = None
    stage: Stage | None = None
    metadata: Mapping[str, Scalar] = field(default_factory=dict)
    starts_at: datetime | None = None
    for_seconds: float = 0.0
    valid_for_seconds: float | None = None
    reason: str = "condition cleared"
    per_event: bool = False
    """Each event is its own occurrence (a failed stage): after an operator cleared the
    alert, a finding from a later event (``starts_at``) raises a new one."""

    @property
    def fingerprint(self) -> str:
        """See :func:`fingerprint`."""
        return fingerprint(self.rule, self.labels)

    @property
    def all_labels(self) -> dict[str, str]:
        """Identifying and context labels together (what the alert event carries)."""
        return {**self.context, **self.labels}
