"""Admin endpoints: they append events (or trim projections) and are audited."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, post
from litestar.exceptions import HTTPException
from litestar.params import QueryParameter

from mediawatch_api.users import User
from mediawatch_api.web.auth import admin_only
from mediawatch_api.web.choices import AlertLevel as AlertLevelChoice
from mediawatch_api.web.errors import error_responses
from mediawatch_api.web.services import Services, ServicesDep
from mediawatch_common.alerting import random_id
from mediawatch_common.events import AlertLevel, AlertRaised, Producer
from mediawatch_common.kafka import DeliveryError
from mediawatch_store.retention import apply_retention

_PRODUCER = Producer.current("query-api")
INFO = AlertLevelChoice.parse("info")


def client_of(request: Request[Any, Any, Any]) -> str | None:
    """The caller's address, for the audit log."""
    return request.client.host if request.client else None


def append_events(services: Services, topic: str, events: list[tuple[str, Any]]) -> None:
    """Append ``(key, event)`` pairs to ``topic``; 503 when the brokers do not acknowledge."""
    try:
        services.events.append(topic, events)
    except DeliveryError:
        raise HTTPException(status_code=503, detail="event log unavailable; try again") from None


class AdminController(Controller):
    """``/api/v1/monitoring`` administrative functions (admin role)."""

    path = "/api/v1/monitoring"
    tags = ("admin",)
    guards = (admin_only,)

    @post(
        "/test/alert",
        status_code=201,
        sync_to_thread=True,
        summary="Create a test alert",
        responses=error_responses("admin", params=True, also=[503]),
    )
    def test_alert(
        self,
        request: Request[User, Any, Any],
        services: ServicesDep,
        level: Annotated[
            AlertLevelChoice, QueryParameter(description="Level of the test alert (any case).")
        ] = INFO,
    ) -> dict[str, Any]:
        """Appends an AlertRaised event (rule ``test_alert``) to the alerts topic."""
        now = services.clock()
        alert_id = random_id("alert", now)  # apart from the alerter's sequence
        event = AlertRaised(
            producer=_PRODUCER,
            alert_id=alert_id,
            fingerprint=f"test_alert:{alert_id}",
            rule="test_alert",
            level=AlertLevel(level.upper()),
            title=f"Test Alert: {level}",
            message=f"Test alert created by {request.user.username}",
            labels={"source": "query-api"},
            metadata={"test": True},
            starts_at=now,
        )
        append_events(services, services.events.topics.alerts.name, [(event.fingerprint, event)])
        services.audit(
            "test_alert",
            "ok",
            request.user.username,
            client_of(request),
            {"alert_id": alert_id, "level": level},
        )
        return {"message": "Test alert created", "alert_id": alert_id, "level": level}

    @post(
        "/cleanup",
        status_code=200,
        sync_to_thread=True,
        summary="Apply data retention",
        responses=error_responses("admin"),
    )
    def cleanup(self, request: Request[User, Any, Any], services: ServicesDep) -> dict[str, Any]:
        """Trims metrics past METRICS_RETENTION_HOURS, log records past LOG_RETENTION_HOURS
        and alerts past ALERT_RETENTION_COUNT."""
        retention = services.settings.retention
        with services.engine.begin() as conn:
            deleted = apply_retention(conn, retention, services.clock())
        services.audit("cleanup", "ok", request.user.username, client_of(request), deleted)
        return {
            "message": "Cleanup completed",
            "deleted": deleted,
            "retention": {
                "metrics_retention_hours": retention.metrics_retention_hours,
                "log_retention_hours": retention.log_hours,
                "alert_retention_count": retention.alert_retention_count,
            },
        }
