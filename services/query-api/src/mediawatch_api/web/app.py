"""The Litestar application: routes, auth, rate limits, limits, error handling, OpenAPI."""

from __future__ import annotations

import functools
from typing import Any

import psycopg
import sqlalchemy.exc
from litestar import Litestar, Request, Response
from litestar.config.app import AppConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware import ASGIMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from mediawatch_api.ingest import EventIdPruner
from mediawatch_api.metrics import ApiMetrics
from mediawatch_api.web.admin import AdminController
from mediawatch_api.web.alerting import AlertingController
from mediawatch_api.web.auth import AuthController, build_jwt, producers_only_ingest
from mediawatch_api.web.choices import TYPE_DECODERS, ChoiceSchemas
from mediawatch_api.web.csrf import CsrfMiddleware
from mediawatch_api.web.deadletters import DeadLetterController
from mediawatch_api.web.encoding import ApiResponse
from mediawatch_api.web.errors import http_error, internal_error, unstorable_input
from mediawatch_api.web.head import HeadAsGet
from mediawatch_api.web.ingest import IngestController
from mediawatch_api.web.live import alert_stream, log_stream
from mediawatch_api.web.methods import OptionsMiddleware
from mediawatch_api.web.monitoring import MonitoringController
from mediawatch_api.web.pages import PAGE_PATHS, TEMPLATES, PagesController, asset_routers
from mediawatch_api.web.prometheus import metrics
from mediawatch_api.web.ratelimit import FixedWindow, RateLimitMiddleware
from mediawatch_api.web.request_timing import RequestTiming
from mediawatch_api.web.services import Services
from mediawatch_api.web.session import SessionController

NOT_RATE_LIMITED = ["^/api/v1/monitoring/health$", "^/static/", "^/vendor/"]
"""Paths the rate limit skips: load balancers poll health, and the dashboard's files."""


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    return http_error(request, exc, PAGE_PATHS)


def _outermost(middleware: ASGIMiddleware, config: AppConfig) -> AppConfig:
    config.middleware.insert(0, middleware)
    return config


def create_app(services: Services, jwt_secret: str) -> Litestar:
    """The API over ``services``; ``jwt_secret`` signs and checks tokens."""
    jwt_auth = build_jwt(jwt_secret, services.api.token_minutes, services.roster)
    measured = ApiMetrics(services.reads, services.api.metrics_refresh_seconds)
    window = FixedWindow(limit=services.api.rate_limit_per_minute, seconds=60)
    rate_limit = RateLimitMiddleware(window, exclude=NOT_RATE_LIMITED)
    retention = services.api.ingest_dedupe_retention_hours * 3600.0
    pruner = EventIdPruner(services.ingest.claims, retention)
    return HeadAsGet(
        route_handlers=[
            MonitoringController,
            DeadLetterController,
            AlertingController,
            AdminController,
            AuthController,
            SessionController,
            IngestController,
            PagesController,
            alert_stream,
            log_stream,
            metrics,
            *asset_routers(services.api.web_vendor_dir),
        ],
        dependencies={
            "services": Provide(lambda: services, use_cache=True, sync_to_thread=False),
            "jwt_auth": Provide(lambda: jwt_auth, use_cache=True, sync_to_thread=False),
            "metrics_exposition": Provide(
                lambda: measured.exposition, use_cache=True, sync_to_thread=False
            ),
        },
        # Rate limiting goes outside authentication (inserted at 0), so it also throttles 401s;
        # the timing outside both, so refused requests are timed too.
        on_app_init=[
            jwt_auth.on_app_init,
            functools.partial(_outermost, rate_limit),
            functools.partial(_outermost, RequestTiming(measured.requests)),
        ],
        middleware=[OptionsMiddleware(), CsrfMiddleware()],
        on_startup=[measured.refresher.start, pruner.start],
        on_shutdown=[measured.refresher.stop, pruner.stop],
        guards=[producers_only_ingest],
        type_decoders=TYPE_DECODERS,
        plugins=[ChoiceSchemas()],
        response_class=ApiResponse,
        exception_handlers={
            HTTPException: _http_error,
            sqlalchemy.exc.DataError: unstorable_input,
            psycopg.DataError: unstorable_input,
            Exception: internal_error,
        },
        template_config=TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine),
        request_max_body_size=services.api.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Mediawatch query API",
            version="1.0.0",
            description="Monitoring data of the video pipeline, projected from the event log.",
            path="/schema",
            components=Components(),
        ),
        logging_config=None,
        debug=False,
    )
