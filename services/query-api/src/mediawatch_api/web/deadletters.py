"""``/api/v1/monitoring/deadletters``: how many messages no consumer could decode."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get

from mediawatch_api import queries
from mediawatch_api.web.errors import error_responses
from mediawatch_api.web.monitoring import Hours
from mediawatch_api.web.services import ServicesDep


class DeadLetterController(Controller):
    """Dead-letter counts for the dashboard (``mediawatch deadletters`` shows the messages)."""

    path = "/api/v1/monitoring"
    tags = ("monitoring",)

    @get(
        "/deadletters",
        sync_to_thread=True,
        summary="Dead letters per topic and reason",
        responses=error_responses("viewer", params=True),
    )
    def dead_letters(self, services: ServicesDep, hours: Hours = 24) -> dict[str, Any]:
        """Messages dead-lettered in the last ``hours``, counted per origin topic and reason
        class (``DecodeError: unknown_fingerprint``), with how many are not re-driven yet."""
        with services.reads.connect() as conn:
            return queries.dead_letter_counts(conn, hours, services.clock())
