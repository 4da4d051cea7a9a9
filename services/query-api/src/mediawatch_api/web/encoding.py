"""How the API writes its JSON: times as ISO 8601 in UTC ending in ``Z``.

Queries and handlers return ``datetime`` values; the answer turns each into text once, at the
edge: milliseconds when the time has a fraction of a second (``2023-12-31T23:59:59.123Z``),
whole seconds otherwise (``2023-12-31T23:59:59Z``). A time without a zone is taken as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Response
from litestar.serialization import default_serializer
from litestar.types import Serializer


def utc_text(value: datetime) -> str:
    """``value`` as ISO 8601 UTC text ending in ``Z``."""
    utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    spec = "milliseconds" if utc.microsecond else "seconds"
    return utc.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def with_utc_text(value: Any) -> Any:
    """``value`` with every ``datetime`` in its dicts, lists and tuples written as text."""
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, dict):
        return {k: with_utc_text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [with_utc_text(v) for v in value]
    return value


class ApiResponse(Response[Any]):
    """The app's response class: JSON and server-sent data carry ``Z`` times."""

    def render(
        self, content: Any, media_type: str, enc_hook: Serializer = default_serializer
    ) -> bytes:
        """Render ``content`` with its times as UTC text."""
        return super().render(with_utc_text(content), media_type, enc_hook)
