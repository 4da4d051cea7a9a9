"""`mediawatch replay` over real topics: filters return exactly the produced events."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from confluent_kafka.admin import AdminClient

from mediawatch_common.cli import main
from mediawatch_common.demo import StageOutcome, synthetic_session
from mediawatch_common.events import (
    AlertLevel,
    AlertRaised,
    ErrorCode,
    Event,
    Producer,
    ResourceSample,
    Stage,
    encode_event,
)
from mediawatch_common.kafka import EventProducer, declare_topics, ensure_topics, producer_config

pytestmark = pytest.mark.integration

WHO = Producer(service="test", host="h", pid=1)
T0 = datetime.now(UTC) - timedelta(minutes=30)


@pytest.fixture(scope="module")
def history(bootstrap: str, admin: AdminClient) -> Iterator[tuple[str, list[Event]]]:
    """Two sessions and an alert, written once under a unique topic prefix."""
    prefix = f"replaytest{uuid.uuid4().hex[:8]}"
    topics = declare_topics(prefix, partitions=3)
    ensure_topics(admin, topics.all(), 1, 1)
    failure = StageOutcome(Stage.MERGING, ErrorCode.FFMPEG_FAILED, "FFmpeg process failed")
    events: list[Event] = [
        *synthetic_session("s-ok", "alice", T0, WHO),
        *synthetic_session("s-bad", "bob", T0 + timedelta(minutes=5), WHO, failure=failure),
        AlertRaised(producer=WHO, event_time=T0 + timedelta(minutes=6), alert_id="alert_1_1",
                    fingerprint="fp", rule="processing_failed", level=AlertLevel.ERROR,
                    title="Processing Failed: merging", message="Session s-bad failed",
                    session_id="s-bad", user_id="bob", stage=Stage.MERGING,
                    starts_at=T0 + timedelta(minutes=6)),
    ]  # fmt: skip
    producer = EventProducer(producer_config(bootstrap, "test-replay"))
    for event in events:
        topic = topics.alerts if isinstance(event, AlertRaised) else topics.pipeline
        if isinstance(event, ResourceSample):
            topic = topics.resources
        producer.produce(topic.name, encode_event(event), key=getattr(event, "session_id", "h"),
                         timestamp_ms=int(event.event_time.timestamp() * 1000))  # fmt: skip
    producer.flush()
    yield prefix, events
    admin.delete_topics([t.name for t in topics.all()])


def _replay(bootstrap: str, prefix: str, tmp: Path, *args: str) -> list[dict[str, object]]:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "KAFKA_TOPIC_PREFIX": prefix,
           "LOG_DIR": str(tmp), "LOG_CONSOLE": "false"}  # fmt: skip
    result = CliRunner().invoke(main, ["replay", "--json", *args], env=env)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def _ids(events: Sequence[Event]) -> list[str]:
    return [str(e.event_id) for e in sorted(events, key=lambda e: e.event_time)]


def test_everything_comes_back_in_event_time_order(
    bootstrap: str, history: tuple[str, list[Event]], tmp_path: Path
) -> None:
    prefix, events = history
    lines = _replay(bootstrap, prefix, tmp_path, "--from-beginning")
    wanted = [e for e in events if not isinstance(e, ResourceSample)]
    assert sorted(str(line["event_id"]) for line in lines) == sorted(_ids(wanted))
    times = [str(line["event_time"]) for line in lines]
    assert times == sorted(times)


@pytest.mark.parametrize(
    ("args", "keep"),
    [
        (("--session", "s-bad"), lambda e: getattr(e, "session_id", None) == "s-bad"),
        (("--user", "alice"), lambda e: getattr(e, "user_id", None) == "alice"),
        (("--stage", "merging"), lambda e: getattr(e, "stage", None) is Stage.MERGING),
        (("--level", "error"), lambda e: isinstance(e, AlertRaised)),
        (("--event-type", "StageCompleted", "--session", "s-ok"),
         lambda e: type(e).__name__ == "StageCompleted" and e.session_id == "s-ok"),
    ],
)  # fmt: skip
def test_filters_return_exactly_the_matching_events(
    bootstrap: str, history: tuple[str, list[Event]], tmp_path: Path, args: tuple[str, ...],
    keep: object,
) -> None:  # fmt: skip
    prefix, events = history
    lines = _replay(bootstrap, prefix, tmp_path, "--from-beginning", *args)
    wanted = [e for e in events if not isinstance(e, ResourceSample) and keep(e)]  # type: ignore[operator]
    assert wanted, "the case must select something"
    assert [str(line["event_id"]) for line in lines] == _ids(wanted)


def test_failed_keeps_only_broken_sessions_and_their_alerts(
    bootstrap: str, history: tuple[str, list[Event]], tmp_path: Path
) -> None:
    prefix, events = history
    lines = _replay(bootstrap, prefix, tmp_path, "--from-beginning", "--failed")
    wanted = [
        e for e in events
        if not isinstance(e, ResourceSample) and getattr(e, "session_id", None) == "s-bad"
    ]  # fmt: skip
    assert [str(line["event_id"]) for line in lines] == _ids(wanted)
    assert "AlertRaised" in {line["type"] for line in lines}


def test_time_range_cuts_on_event_time(
    bootstrap: str, history: tuple[str, list[Event]], tmp_path: Path
) -> None:
    prefix, events = history
    start = (T0 + timedelta(minutes=5)).isoformat()
    end = (T0 + timedelta(minutes=5, seconds=30)).isoformat()
    lines = _replay(
        bootstrap, prefix, tmp_path, "--from", start, "--to", end, "--topic", "pipeline"
    )
    lo, hi = T0 + timedelta(minutes=5), T0 + timedelta(minutes=5, seconds=30)
    wanted = [
        e for e in events
        if not isinstance(e, ResourceSample | AlertRaised) and lo <= e.event_time < hi
    ]  # fmt: skip
    assert wanted
    assert [str(line["event_id"]) for line in lines] == _ids(wanted)


def test_replay_joins_no_group_and_commits_nothing(
    bootstrap: str, admin: AdminClient, history: tuple[str, list[Event]], tmp_path: Path
) -> None:
    prefix, _ = history
    _replay(bootstrap, prefix, tmp_path, "--from-beginning")
    groups = admin.list_consumer_groups(request_timeout=15).result()
    assert not [g.group_id for g in groups.valid if g.group_id.startswith("mediawatch-replay")]


def test_a_missing_topic_is_a_clear_error(bootstrap: str, tmp_path: Path) -> None:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
           "KAFKA_TOPIC_PREFIX": "nosuchprefix", "LOG_DIR": str(tmp_path)}  # fmt: skip
    result = CliRunner().invoke(main, ["replay", "--from-beginning"], env=env)
    assert result.exit_code == 1
    assert "nosuchprefix.pipeline does not exist" in result.output
