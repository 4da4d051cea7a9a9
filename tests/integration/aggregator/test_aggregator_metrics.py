"""``mediawatch run aggregator`` serves what it read, its closed windows and its lag."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient

from mediawatch_common.events import Stage
from tests.integration.aggregator.helpers import (
    WindowReader,
    aggregator,
    completions,
    deployment,
    expected,
    produce,
)
from tests.integration.helpers import sample, scrape, wait_for
from tests.integration.transcoder.conftest import free_port

pytestmark = pytest.mark.integration

BASE = datetime(2026, 1, 5, 12, 0, 0, tzinfo=UTC)


def test_ingest_windows_lag_and_dead_letters_are_scraped(
    bootstrap: str, admin: AdminClient, tmp_path: Path
) -> None:
    events = completions(BASE, 200, 4.0, 4, [Stage.MERGING])
    port = free_port()
    with deployment(bootstrap, admin, tmp_path) as dep:
        dep.overrides["METRICS_PORT"] = str(port)
        produce(bootstrap, dep.topics.pipeline.name, events, extra=b"not avro at all")
        reader = WindowReader(bootstrap, dep.topics.windows.name)
        try:
            with aggregator(dep):
                reader.wait_closed(set(expected(events)))
                ingested = "mediawatch_aggregator_events_ingested_total"
                assert wait_for(lambda: sample(scrape(port), ingested) == 201, timeout=30)
                group = f"{dep.app_id}-ingest"
                lag = "mediawatch_consumer_lag_messages"
                pipeline = dep.topics.pipeline.name

                def caught_up() -> bool:
                    found = scrape(port)
                    return all(
                        sample(found, lag, group=group, topic=pipeline, partition=str(p)) == 0
                        for p in range(2)
                    )

                assert wait_for(caught_up, timeout=30)
                samples = scrape(port)
        finally:
            reader.close()
    window = {"stage": "merging", "window": "2s"}
    assert sample(samples, "mediawatch_window_error_ratio", **window) == pytest.approx(
        0.25, abs=0.26
    )
    assert (sample(samples, "mediawatch_aggregator_windows_closed_total", **window) or 0) >= 2
    p99 = sample(samples, "mediawatch_window_stage_duration_seconds", **window, quantile="0.99")
    assert p99 is not None
    assert 1.0 <= p99 <= 9.5
    dead = {"topic": dep.topics.pipeline.name, "reason": "DecodeError"}
    assert sample(samples, "mediawatch_dead_letters_total", **dead) == 1
