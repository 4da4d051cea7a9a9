"""Run the alerter or the notifier in a background thread for the length of a block."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import SecretStr

from mediawatch_alerter.notifier.config import Route, Routing, Sink
from mediawatch_alerter.service.alerter import AlerterService
from mediawatch_alerter.service.build import build_alerter, build_notifier
from mediawatch_alerter.service.notifier import NotifierService
from mediawatch_alerter.settings import AlerterSettings, NotifierSettings
from mediawatch_common.events import Event, decode_event
from mediawatch_common.kafka import Topics
from mediawatch_common.settings import Settings

from ..helpers import read_raw


@contextmanager
def background(service: AlerterService | NotifierService) -> Iterator[Any]:
    thread = threading.Thread(target=service.run, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        service.stop()
        thread.join(timeout=30)
        assert not thread.is_alive(), f"{type(service).__name__} did not stop"


def alerter(settings: Settings, group: str = "alerter", **kw: Any) -> AlerterService:
    config = AlerterSettings.model_validate(
        {"tick_seconds": 0.2, "group_id": f"{settings.kafka.topic_prefix}.{group}", **kw}
    )
    return build_alerter(settings, config)


def notifier(settings: Settings, sinks: dict[str, tuple[str, str]], **kw: Any) -> NotifierService:
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


def alert_events(
    settings: Settings, topics: Topics, count: int, timeout: float = 5.0
) -> list[Event]:
    return [
        decode_event(m.value() or b"")
        for m in read_raw(settings.kafka.bootstrap_servers, topics.alerts.name, count, timeout)
    ]
