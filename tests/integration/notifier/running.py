"""Build a notifier over one route to the given sinks, for the notifier's integration tests."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from mediawatch_common.settings import Settings
from mediawatch_notifier.notifier_service import NotifierService
from mediawatch_notifier.routing import Route, Routing, Sink, SinkType
from mediawatch_notifier.settings import NotifierSettings
from mediawatch_notifier.wiring import build_notifier


def notifier(
    settings: Settings, sinks: dict[str, tuple[SinkType, str]], **kw: Any
) -> NotifierService:
    """``sinks``: name -> (type, url); one route sends every level to all of them."""
    config = NotifierSettings.model_validate(
        {
            "group_wait_seconds": 0,
            "backoff_initial_seconds": 0.05,
            "backoff_max_seconds": 0.2,
            "timeout_seconds": 2.0,
            "rate_limit_per_minute": 600,
            "group_id": f"{settings.kafka.topic_prefix}.notifier",
            **kw,
        }
    )
    routing = Routing(
        {
            n: Sink(n, t, SecretStr(u), SecretStr("k") if t == "webhook" else None)
            for n, (t, u) in sinks.items()
        },
        (
            Route(
                name="all",
                levels=frozenset({"info", "warning", "error", "critical"}),
                sinks=tuple(sinks),
                group_wait_seconds=config.group_wait_seconds,
            ),
        ),
    )
    return build_notifier(settings, config, routing)
