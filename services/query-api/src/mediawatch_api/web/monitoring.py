"""Read endpoints of the monitoring API (health, stats, sessions, alerts, resources), plus
timelines and window results."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import PathParameter, QueryParameter

from mediawatch_api import queries
from mediawatch_api.health import detailed
from mediawatch_api.users import User
from mediawatch_api.web import clearing
from mediawatch_api.web.auth import admin_only
from mediawatch_api.web.choices import AlertLevel, AlertStatus, LogLevel, Stage
from mediawatch_api.web.errors import PUBLIC_SECURITY, STORABLE_TEXT, error_responses
from mediawatch_api.web.services import ServicesDep

MAX_PAGE = 1000
MAX_OFFSET = 1_000_000
MAX_HOURS = 24 * 366
Hours = Annotated[int, QueryParameter(ge=1, le=MAX_HOURS, description="Look-back period in hours.")]


PONG = {"status": "ok"}
FIRING = AlertStatus.parse("firing")


def _page(description: str) -> QueryParameter:
    return QueryParameter(ge=1, le=MAX_PAGE, description=description)


SINCE_FORMS = [
    {"type": "string", "format": "date-time"},
    {"type": "string", "pattern": r"^\d{1,5}(\.\d+)?\s*[smhdw]$"},
]
"""The forms ``since`` takes: a time with its offset, or an age (``parse_duration``'s grammar)."""


def _text(description: str) -> QueryParameter:
    return QueryParameter(
        min_length=1, max_length=200, pattern=STORABLE_TEXT, description=description
    )


class MonitoringController(Controller):
    """``/api/v1/monitoring``: health, statistics, alerts, metrics, sessions, logs."""

    path = "/api/v1/monitoring"
    tags = ("monitoring",)

    @get(
        "/health",
        sync_to_thread=False,
        summary="Basic health (public, for load balancers)",
        security=PUBLIC_SECURITY,
        responses=error_responses("public", rate_limited=False),
    )
    def health(self, services: ServicesDep) -> dict[str, Any]:
        """Answers without touching any dependency: the process is up and serving.

        Not rate limited, so a load balancer polling it never sees a 429.
        """
        return {"status": "healthy", "timestamp": services.clock()}

    @get(
        "/ping",
        sync_to_thread=False,
        summary="Liveness: a constant answer (public)",
        security=PUBLIC_SECURITY,
        responses=error_responses("public"),
    )
    def ping(self) -> dict[str, str]:
        """Always ``{"status": "ok"}``: the server accepts and answers requests. Rate limited
        like every route but health; the cost of the framework alone, for comparisons."""
        return PONG

    @get(
        "/health/detailed",
        sync_to_thread=True,
        summary="Every health check",
        responses=error_responses("viewer"),
    )
    def health_detailed(self, services: ServicesDep) -> dict[str, Any]:
        """This host's checks (resources, ffmpeg, storage, temp dir, pipeline, logs, Kafka,
        PostgreSQL; cached for HEALTH_CHECK_CACHE_DURATION seconds), then the latest report of
        every host's health reporter. Each check names its host."""
        settings = services.settings
        with services.reads.connect() as conn:
            return detailed(
                services.health,
                conn,
                services.clock(),
                settings.health.missed_reports,
                settings.retention.metrics_retention_hours,
            )

    @get(
        "/stats",
        sync_to_thread=True,
        summary="Processing statistics",
        responses=error_responses("viewer", params=True),
    )
    def stats(self, services: ServicesDep, hours: Hours = 24) -> dict[str, Any]:
        """Totals, success and error rates, average duration, per stage and per error code."""
        with services.reads.connect() as conn:
            return queries.processing_stats(conn, hours, services.clock())

    @get(
        "/alerts",
        sync_to_thread=True,
        summary="Recent alerts",
        responses=error_responses("viewer", params=True),
    )
    def alerts(
        self,
        services: ServicesDep,
        level: Annotated[
            AlertLevel | None, QueryParameter(description="Only this level (any case).")
        ] = None,
        limit: Annotated[int, _page("Most alerts returned.")] = 50,
        status: Annotated[
            AlertStatus,
            QueryParameter(
                description="Firing (the default), resolved, acknowledged (and firing) or all "
                "(any case)."
            ),
        ] = FIRING,
    ) -> dict[str, Any]:
        """The newest alerts in the API's alert shape, with their lifecycle status; firing
        ones unless ``status`` says otherwise."""
        with services.reads.connect() as conn:
            return queries.list_alerts(conn, level, limit, status)

    @delete(
        "/alerts",
        guards=[admin_only],
        status_code=200,
        sync_to_thread=True,
        summary="Clear all alerts (admin)",
        tags=["admin"],
        responses=error_responses("admin", also=[503]),
    )
    def clear_alerts(
        self, request: Request[User, Any, Any], services: ServicesDep
    ) -> dict[str, Any]:
        """Resolves every firing alert: an AlertResolved (reason ``cleared``, the admin as
        ``actor``) each; answers how many, once the alerts read as resolved."""
        return clearing.clear_alerts(request, services)

    @get(
        "/metrics/system",
        sync_to_thread=True,
        summary="System metrics time series",
        responses=error_responses("viewer", params=True),
    )
    def system_metrics(
        self,
        services: ServicesDep,
        hours: Hours = 24,
        bucket_seconds: Annotated[
            int | None,
            QueryParameter(ge=10, le=86400, description="Average per host over buckets this long."),
        ] = None,
    ) -> dict[str, Any]:
        """CPU, memory, disk, active sessions and temp dir size of every worker host."""
        with services.reads.connect() as conn:
            return queries.system_metrics(
                conn, hours, services.clock(), 20 * MAX_PAGE, bucket_seconds
            )

    @get(
        "/sessions/active",
        sync_to_thread=True,
        summary="Active processing sessions",
        responses=error_responses("viewer", params=True),
    )
    def sessions_active(
        self,
        services: ServicesDep,
        limit: Annotated[int, _page("Most sessions returned.")] = 100,
        offset: Annotated[
            int, QueryParameter(ge=0, le=MAX_OFFSET, description="Sessions skipped (paging).")
        ] = 0,
        stuck: Annotated[
            bool | None,
            QueryParameter(description="Only stuck (true) or not stuck (false) sessions."),
        ] = None,
        stage: Annotated[
            Stage | None, QueryParameter(description="Only at this stage (any case).")
        ] = None,
        user_id: Annotated[
            str | None,
            QueryParameter(
                min_length=1, max_length=200, pattern=STORABLE_TEXT, description="Only this user's."
            ),
        ] = None,
    ) -> dict[str, Any]:
        """Unfinished sessions, oldest (so stuck) first: user, stage, elapsed times, resources,
        ``stuck`` and ``idle`` flags; ``total`` and ``stuck_total`` count every match."""
        page = queries.ActiveFilter(limit, offset, stuck, stage, user_id)
        with services.reads.connect() as conn:
            minutes = services.settings.monitoring.stuck_session_minutes
            return queries.active_sessions(conn, services.clock(), minutes, page)

    @get(
        "/sessions/{session_id:str}/timeline",
        sync_to_thread=True,
        summary="Session timeline",
        responses=error_responses("viewer", params=True, also=[404]),
    )
    def timeline(
        self,
        services: ServicesDep,
        session_id: Annotated[
            str, PathParameter(max_length=200, pattern=STORABLE_TEXT, description="Session id.")
        ],
    ) -> dict[str, Any]:
        """Every event of one session in order, for incident analysis."""
        with services.reads.connect() as conn:
            found = queries.session_timeline(conn, session_id, 10 * MAX_PAGE, services.codec)
        if found is None:
            raise NotFoundException(f"no events for session {session_id!r}")
        return found

    @get(
        "/windows",
        sync_to_thread=True,
        summary="Window results per stage",
        responses=error_responses("viewer", params=True),
    )
    def windows(
        self,
        services: ServicesDep,
        stage: Annotated[
            Stage | None, QueryParameter(description="Only this stage (any case).")
        ] = None,
        limit: Annotated[int, _page("Most windows returned.")] = 100,
    ) -> dict[str, Any]:
        """The aggregator's newest windowed statistics (error rate, percentiles)."""
        with services.reads.connect() as conn:
            return queries.stage_windows(conn, stage, limit)

    @get(
        "/windows/series",
        sync_to_thread=True,
        summary="Window results per stage over time",
        responses=error_responses("viewer", params=True),
    )
    def window_series(
        self,
        services: ServicesDep,
        hours: Hours = 24,
        window_seconds: Annotated[
            int | None,
            QueryParameter(
                ge=1,
                le=86400,
                description="Length of the tumbling windows to chart (default: the shortest "
                "the aggregator produced in the period; `window_sizes` lists them).",
            ),
        ] = None,
    ) -> dict[str, Any]:
        """Error rate, throughput and duration percentiles per stage in chart buckets."""
        with services.reads.connect() as conn:
            return queries.window_series(conn, hours, services.clock(), window_seconds)

    @get(
        "/logs/recent",
        sync_to_thread=True,
        summary="Recent log records of every service",
        responses=error_responses("viewer", params=True),
    )
    def logs_recent(
        self,
        services: ServicesDep,
        lines: Annotated[int, _page("Most records returned.")] = 100,
        level: Annotated[
            LogLevel | None, QueryParameter(description="This level and above (any case).")
        ] = None,
        service: Annotated[str | None, _text("Only this service (transcoder, api...).")] = None,
        host: Annotated[str | None, _text("Only this host.")] = None,
        session_id: Annotated[str | None, _text("Only records of this session.")] = None,
        since: Annotated[
            str | None,
            QueryParameter(
                max_length=64,
                description="Not before: an ISO time (2026-12-07T10:00:00Z) or an age (90m).",
                schema_extra={"oneOf": SINCE_FORMS},
            ),
        ] = None,
    ) -> dict[str, Any]:
        """Structured log records shipped by every service through the logs topic."""
        try:
            start = queries.parse_since(since, services.clock()) if since is not None else None
        except ValueError as exc:
            raise ValidationException(f"since: {exc}") from None
        query = queries.LogQuery(lines, level, service, host, session_id, start)
        with services.reads.connect() as conn:
            return queries.recent_logs(conn, query)
