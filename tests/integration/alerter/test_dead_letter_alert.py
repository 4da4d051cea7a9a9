"""Poison in the alerter's input: it dead-letters the messages, reads its own dead letters
back from the dead-letter topic and raises a dead_letters alert over the threshold."""

from __future__ import annotations

import pytest

from mediawatch_common.events import AlertRaised
from mediawatch_common.kafka import EventProducer, Topics, producer_config
from mediawatch_common.settings import Settings

from ..helpers import wait_for
from .running import alert_events, alerter, background

pytestmark = pytest.mark.integration


def test_dead_letters_past_the_threshold_raise_one_alert(isolated: tuple[Settings, Topics]) -> None:
    settings, topics = isolated
    producer = EventProducer(producer_config(settings.kafka.bootstrap_servers, "test-poison"))
    with background(alerter(settings, deadletter_threshold=1)) as service:
        for n in range(3):
            producer.produce(topics.pipeline.name, f"poison number {n}".encode(), key="s-1")
        producer.flush()

        def raised() -> list[AlertRaised]:
            return [e for e in alert_events(settings, topics, 2, 2.0) if isinstance(e, AlertRaised)]

        assert wait_for(raised, timeout=30)
        assert service.loop.deadlettered == 3
    (alert,) = raised()
    assert alert.rule == "dead_letters"
    assert alert.labels == {"topic": topics.pipeline.name, "reason": "DecodeError: bad_marker"}
    assert alert.metadata["count"] == 2  # raised as the second dead letter is read
