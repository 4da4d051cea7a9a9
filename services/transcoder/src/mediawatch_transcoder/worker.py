"""The Kafka edge: one job at a time from the jobs topic, events to pipeline and resources.

The job's offset is committed by the consumer loop only after :meth:`Worker.handle` returned,
and that happens only once every event of the session was acknowledged by the brokers. A
session abandoned on SIGTERM raises instead, so its job is delivered again (a new attempt).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mediawatch_common.avro import AvroCodec
from mediawatch_common.events import (
    Event,
    Producer,
    ResourceSample,
    TranscodeRequested,
    decode_event,
    encode_event,
    utc_now,
)
from mediawatch_common.kafka import (
    Connection,
    ConsumerLoop,
    DeadLetters,
    EventProducer,
    Record,
    Topics,
    consumer_config,
    producer_config,
)
from mediawatch_common.storage import storage_from_settings
from mediawatch_transcoder.attempts import AttemptLedger
from mediawatch_transcoder.errors import SessionAbandonedError
from mediawatch_transcoder.resource_sampler import ResourceSampler
from mediawatch_transcoder.session import SessionResult, SessionRunner, lost_stage
from mediawatch_transcoder.settings import TranscoderSettings
from mediawatch_transcoder.stage_logs import SlowLimits

log = logging.getLogger("mediawatch_transcoder.worker")

MAX_POLL_INTERVAL_MS = 86_400_000


def poll_interval_ms(settings: TranscoderSettings) -> int:
    """``max.poll.interval.ms``: longer than the longest possible session, plus a margin."""
    return min(MAX_POLL_INTERVAL_MS, int((settings.longest_session_seconds() + 120) * 1000))


@dataclass(slots=True)
class Worker:
    """Turns one delivered job into one recorded session."""

    runner: SessionRunner
    ledger: AttemptLedger
    producer: EventProducer
    topics: Topics
    codec: AvroCodec | None = None

    def emit(self, event: Event) -> None:
        """Queue an event on its topic: samples by host, stage events by session."""
        if isinstance(event, ResourceSample):
            topic, key = self.topics.resources.name, event.host
        else:
            topic, key = self.topics.pipeline.name, str(getattr(event, "session_id", ""))
        self.producer.produce(topic, encode_event(event, self.codec), key=key)

    def handle(self, batch: Sequence[Record[Event]]) -> None:
        """Process each job of the batch (the loop delivers one at a time)."""
        for record in batch:
            if isinstance(record.event, TranscodeRequested):
                self.process(record.event, record.timestamp_ms)
            else:
                log.warning("ignoring a non-job event", extra={"type": type(record.event).__name__})

    def process(self, job: TranscodeRequested, requested_ms: int) -> SessionResult | None:
        """Run the session as its next attempt; flush every event before returning."""
        history = self.ledger.history(job.session_id, requested_ms)
        if history.finished:
            log.info("session already recorded", extra={"session_id": job.session_id})
            return None
        for started in history.open_stages:
            self.emit(lost_stage(started, self.runner.producer, utc_now()))
        result = self.runner.run(job, history.next_attempt)
        self.producer.flush()
        log.info(
            "session finished",
            extra={
                "event_type": "session",
                "session_id": job.session_id,
                "user_id": job.user_id,
                "attempt": result.attempt,
                "success": result.success,
                "failed_stage": result.failed_stage.label if result.failed_stage else None,
                "error_code": result.error_code.value if result.error_code else None,
            },
        )
        if result.abandoned:
            raise SessionAbandonedError(f"session {job.session_id} abandoned: worker stopping")
        return result


def build(
    settings: TranscoderSettings,
    bootstrap: Connection,
    topics: Topics,
    codec: AvroCodec | None = None,
    client_id: str = "mediawatch-transcoder",
    extra_consumer: dict[str, Any] | None = None,
    slow: SlowLimits | None = None,
) -> tuple[Worker, ConsumerLoop[Event], ResourceSampler]:
    """Wire a worker, its consumer loop (one job per batch) and its resource sampler.

    ``slow`` says when a stage or an ffmpeg run goes to performance.log (default: 300 s).
    """
    producer = EventProducer(producer_config(bootstrap, client_id))
    identity = Producer.current("transcoder")
    runner = SessionRunner(settings, storage_from_settings(settings), lambda e: None, identity)
    runner.slow = slow or SlowLimits()
    worker = Worker(
        runner, AttemptLedger(bootstrap, topics.pipeline.name, codec), producer, topics, codec
    )
    runner.emit = worker.emit
    config = consumer_config(
        bootstrap,
        settings.group_id,
        extra={"max.poll.interval.ms": poll_interval_ms(settings), **(extra_consumer or {})},
    )
    loop: ConsumerLoop[Event] = ConsumerLoop(
        config,
        [topics.jobs.name],
        lambda data: decode_event(data, codec),
        worker.handle,
        DeadLetters(producer, topics.deadletter.name, settings.group_id),
        batch_size=1,
    )
    sampler = ResourceSampler(
        worker.emit,
        identity,
        settings.work_dir,
        lambda: runner.active,
        settings.sample_interval_seconds,
    )
    return worker, loop, sampler


def stop_all(loop: ConsumerLoop[Event], runner: SessionRunner) -> None:
    """Stop taking jobs and abandon the running stage (after its grace period)."""
    loop.stop()
    runner.stop.set()


def serve(worker: Worker, loop: ConsumerLoop[Event], sampler: ResourceSampler) -> None:
    """Run until stopped; the sampler runs alongside, every event is flushed at the end."""
    sampler.start()
    try:
        loop.run()
    finally:
        sampler.stop()
        worker.ledger.close()
        worker.producer.flush()


def serve_in_thread(
    worker: Worker, loop: ConsumerLoop[Event], sampler: ResourceSampler
) -> threading.Thread:
    """Start :func:`serve` in a background thread (tests and the demo)."""
    thread = threading.Thread(target=serve, args=(worker, loop, sampler), daemon=True)
    thread.start()
    return thread
