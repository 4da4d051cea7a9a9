"""``DELETE /alerts``: an operator resolves every firing alert, audited.

Each firing alert gets an :class:`AlertResolved` with reason ``cleared`` and the operator as
``actor``, keyed by its fingerprint on the alerts topic. The alerter takes such a resolution
as final for that instance (it raises a new alert only when the condition occurs again); the
projector marks the alerts resolved, and the answer comes once it has, so a ``GET /alerts``
right after it no longer lists them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from litestar import Request
from litestar.exceptions import HTTPException
from sqlalchemy import text

from mediawatch_api.users import User
from mediawatch_api.web.admin import append_events, client_of
from mediawatch_api.web.services import Services
from mediawatch_common.events import AlertResolved, Producer

CLEARED = "cleared"
"""The reason of a resolution by hand."""
VISIBLE_WITHIN_SECONDS = 5.0
"""How long the answer waits for the projector to show the alerts resolved."""

_PRODUCER = Producer.current("query-api")
_FIRING = text("SELECT alert_id, fingerprint, rule FROM alerts WHERE resolved_at IS NULL")
_STILL_FIRING = text(
    "SELECT count(*) FROM alerts WHERE alert_id = ANY(:ids) AND resolved_at IS NULL"
)


def clearing_events(firing: Sequence[Any], actor: str, now: datetime) -> list[tuple[str, Any]]:
    """``(key, AlertResolved)`` for each firing alert row (alert_id, fingerprint, rule)."""
    return [
        (
            r.fingerprint,
            AlertResolved(
                producer=_PRODUCER,
                alert_id=r.alert_id,
                fingerprint=r.fingerprint,
                rule=r.rule,
                reason=CLEARED,
                ends_at=now,
                actor=actor,
            ),
        )
        for r in firing
    ]


def clear_alerts(request: Request[User, Any, Any], services: Services) -> dict[str, Any]:
    """Resolve every firing alert; answer how many, once the reads show it (or the wait ends)."""
    with services.reads.connect() as conn:
        firing = conn.execute(_FIRING).fetchall()
    who, client = request.user.username, client_of(request)
    events = clearing_events(firing, who, services.clock())
    try:
        if events:
            append_events(services, services.events.topics.alerts.name, events)
    except HTTPException:
        services.audit("clear_alerts", "failed", who, client, {"firing": len(events)})
        raise
    services.audit("clear_alerts", "ok", who, client, {"cleared": len(events)})
    ids = [r.alert_id for r in firing]
    return {
        "message": "Alerts cleared",
        "cleared": len(events),
        "visible": _resolved_in_reads(services, ids, VISIBLE_WITHIN_SECONDS),
    }


def _resolved_in_reads(services: Services, ids: list[str], within: float) -> bool:
    """Poll the projection until none of ``ids`` is firing; False if that takes too long."""
    deadline = time.monotonic() + within
    while True:
        with services.reads.connect() as conn:
            if not ids or conn.execute(_STILL_FIRING, {"ids": ids}).scalar_one() == 0:
                return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
