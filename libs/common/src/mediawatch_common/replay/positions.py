"""Where a replay starts and stops: a point in time or an offset in every partition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from mediawatch_common.durations import parse_duration


@dataclass(frozen=True, slots=True)
class Bound:
    """One end of a replay: a time (UTC) or an offset, never both."""

    time: datetime | None = None
    offset: int | None = None

    @property
    def time_ms(self) -> int | None:
        """The time as Kafka's epoch milliseconds."""
        return None if self.time is None else int(self.time.timestamp() * 1000)


def parse_bound(text: str, now: datetime | None = None) -> Bound:
    """Parse ``2026-11-30T10:00:00Z``, ``2026-11-30 10:00`` (UTC), an age or ``@1234``.

    An age is a duration (:func:`~mediawatch_common.durations.parse_duration`: ``90m``,
    ``2h``, ``1.5d``) before ``now``.

    Raises:
        ValueError: with the accepted forms, when ``text`` is none of them.
    """
    text = text.strip()
    if text.startswith("@") and text[1:].isdigit():
        return Bound(offset=int(text[1:]))
    try:
        return Bound(time=(now or datetime.now(UTC)) - parse_duration(text, allow_zero=True))
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"not a time or offset: {text!r} (use an ISO time like 2026-11-30T10:00:00Z, "
            "an age like 90m, 2h or 1.5d, or an offset like @1234)"
        ) from None
    return Bound(time=parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))
