"""Run the alerter (or any service with run and stop) in a background thread for a block."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from mediawatch_alerter.alerter_service import AlerterService
from mediawatch_alerter.settings import AlerterSettings
from mediawatch_alerter.wiring import build_alerter
from mediawatch_common.events import Event, decode_event
from mediawatch_common.kafka import Topics
from mediawatch_common.settings import Settings

from ..helpers import read_raw


class Service(Protocol):
    def run(self) -> None: ...

    def stop(self) -> None: ...


@contextmanager
def background(service: Service) -> Iterator[Any]:
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


def alert_events(
    settings: Settings, topics: Topics, count: int, timeout: float = 5.0
) -> list[Event]:
    return [
        decode_event(m.value() or b"")
        for m in read_raw(settings.kafka.bootstrap_servers, topics.alerts.name, count, timeout)
    ]
