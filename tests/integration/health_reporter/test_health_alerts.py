"""A real reporter process and a real alerter: ffmpeg gone and a silent reporter."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from confluent_kafka import Consumer, TopicPartition

from mediawatch_common.events import AlertRaised, AlertResolved, Event, decode_event
from mediawatch_common.kafka import Topics
from mediawatch_common.settings import Settings, load_settings
from tests.integration.alerter.running import alerter, background
from tests.integration.helpers import wait_for

from .conftest import prefix_of
from .helpers import health_events, reporter, reporter_env, stop

pytestmark = pytest.mark.integration


class AlertLog:
    """Reads the alerts topic from the start, keeping every event seen."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self._consumer = Consumer(
            {"bootstrap.servers": bootstrap, "group.id": f"r-{topic}", "enable.auto.commit": False}
        )
        self._consumer.assign([TopicPartition(topic, 0, 0)])
        self.events: list[Event] = []

    def wait(self, found: Callable[[list[Event]], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not found(self.events) and time.monotonic() < deadline:
            for message in self._consumer.consume(100, 0.3):
                if message.error() is None:
                    self.events.append(decode_event(message.value() or b""))
        return found(self.events)

    def of(self, rule: str) -> list[AlertRaised | AlertResolved]:
        return [
            e for e in self.events if isinstance(e, AlertRaised | AlertResolved) and e.rule == rule
        ]

    def close(self) -> None:
        self._consumer.close()


@pytest.fixture
def stack(bootstrap: str, topics: Topics) -> Iterator[tuple[Settings, AlertLog]]:
    env = {
        **os.environ,
        "KAFKA_TOPIC_PREFIX": prefix_of(topics),
        "LOG_CONSOLE": "false",
        "HEALTH_CHECK_MISSED_REPORTS": "3",
    }
    settings = load_settings(env)
    log = AlertLog(bootstrap, topics.alerts.name)
    with background(alerter(settings)):
        yield settings, log
    log.close()


def _raised(rule: str) -> Callable[[list[Event]], bool]:
    return lambda events: any(isinstance(e, AlertRaised) and e.rule == rule for e in events)


def _resolved(rule: str) -> Callable[[list[Event]], bool]:
    return lambda events: any(isinstance(e, AlertResolved) and e.rule == rule for e in events)


def test_ffmpeg_off_path_fires_at_the_first_report_and_holds_until_it_is_back(
    bootstrap: str, topics: Topics, tmp_path: Path, stack: tuple[Settings, AlertLog]
) -> None:
    _settings, alerts = stack
    path = tmp_path / "bin"
    path.mkdir()
    env = reporter_env(bootstrap, prefix_of(topics), tmp_path, interval=2, PATH=str(path))
    ffmpeg = shutil.which("ffmpeg")
    assert ffmpeg is not None
    with reporter(env, tmp_path / "reporter.log"):
        assert alerts.wait(_raised("ffmpeg_unavailable"), timeout=60)
        first = health_events(bootstrap, topics.resources.name, 1, timeout=10)[0]
        (raised,) = alerts.of("ffmpeg_unavailable")
        assert isinstance(raised, AlertRaised)
        assert raised.starts_at == first.checked_at, "raised by the first report"
        assert raised.labels["host"] == first.host

        # Several more reports find ffmpeg still missing: the alert keeps firing.
        assert len(health_events(bootstrap, topics.resources.name, 5, timeout=60)) == 5
        assert not alerts.wait(_resolved("ffmpeg_unavailable"), timeout=1)

        (path / "ffmpeg").symlink_to(ffmpeg)
        assert alerts.wait(_resolved("ffmpeg_unavailable"), timeout=60)
    resolved = alerts.of("ffmpeg_unavailable")[-1]
    assert isinstance(resolved, AlertResolved)
    assert resolved.alert_id == raised.alert_id
    assert "healthy" in resolved.reason


def test_a_stopped_reporter_raises_reporter_missing_after_three_intervals(
    bootstrap: str, topics: Topics, tmp_path: Path, stack: tuple[Settings, AlertLog]
) -> None:
    _settings, alerts = stack
    env = reporter_env(bootstrap, prefix_of(topics), tmp_path, interval=1)
    with reporter(env, tmp_path / "reporter.log") as proc:
        assert len(health_events(bootstrap, topics.resources.name, 2, timeout=60)) == 2
        stop(proc)
    reports = health_events(bootstrap, topics.resources.name, 1000, timeout=3)
    last = max(e.checked_at for e in reports)

    assert alerts.wait(_raised("health_reporter_missing"), timeout=60)
    (missing,) = alerts.of("health_reporter_missing")
    assert isinstance(missing, AlertRaised)
    assert missing.labels["host"] == reports[-1].host
    assert (missing.event_time - last).total_seconds() > 3 * 1.0, "fired before 3 intervals"
    assert not _resolved("health_reporter_missing")(alerts.events)

    with reporter(env, tmp_path / "reporter.log"):
        assert alerts.wait(_resolved("health_reporter_missing"), timeout=60)


def _committed(bootstrap: str, group: str, topic: str) -> int:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        (position,) = consumer.committed([TopicPartition(topic, 0)], timeout=10)
        return int(position.offset)
    finally:
        consumer.close()


def test_a_restarted_alerter_still_misses_a_reporter_that_stopped_before(
    bootstrap: str, topics: Topics, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "KAFKA_TOPIC_PREFIX": prefix_of(topics),
        "LOG_CONSOLE": "false",
        "HEALTH_CHECK_MISSED_REPORTS": "8",
    }
    settings = load_settings(env)
    group = f"{prefix_of(topics)}.restart"
    alerts = AlertLog(bootstrap, topics.alerts.name)
    resources = topics.resources.name
    with background(alerter(settings, group="restart")):
        with reporter(reporter_env(bootstrap, prefix_of(topics), tmp_path, 1), tmp_path / "r.log"):
            assert len(health_events(bootstrap, resources, 2, timeout=60)) == 2
        end = len(health_events(bootstrap, resources, 1000, timeout=3))
        # The first alerter has consumed and committed every report before it stops.
        assert wait_for(lambda: _committed(bootstrap, group, resources) >= end, timeout=30)
    assert not alerts.wait(_raised("health_reporter_missing"), timeout=0.5)

    with background(alerter(settings, group="restart")):
        assert alerts.wait(_raised("health_reporter_missing"), timeout=60)
    alerts.close()
    (missing,) = alerts.of("health_reporter_missing")
    assert isinstance(missing, AlertRaised)
    assert missing.labels["host"] == health_events(bootstrap, resources, 1, timeout=5)[0].host
