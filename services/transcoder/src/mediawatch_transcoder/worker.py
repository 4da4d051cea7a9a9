"""The Kafka edge: ``concurrency`` jobs at a time from the jobs topic; events out through
mediawatch-client.

A job counts as finished only once :meth:`Worker.handle` returned, and that happens only once
Kafka acknowledged every event of the session; the job loop commits a partition's offset up
to its oldest unfinished job. A session abandoned
on SIGTERM, or whose events wait in the client's spool, raises instead, so its job is
delivered again (a new attempt, numbered from what the pipeline topic holds).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from mediawatch_client import MediaMonitor
from mediawatch_common.avro import AvroCodec
from mediawatch_common.events import (
    Event,
    Producer,
    TranscodeRequested,
    decode_event,
)
from mediawatch_common.kafka import (
    Connection,
    DeadLetters,
    EventProducer,
    Record,
    Topics,
    consumer_config,
    producer_config,
)
from mediawatch_common.storage import storage_from_settings
from mediawatch_transcoder.attempts import AttemptLedger
from mediawatch_transcoder.errors import EventsNotAcknowledgedError, SessionAbandonedError
from mediawatch_transcoder.job_loop import JobLoop
from mediawatch_transcoder.reporting import StageReporter, client_config
from mediawatch_transcoder.resource_sampler import ResourceSampler
from mediawatch_transcoder.session import SessionResult, SessionRunner
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
    reporter: StageReporter
    deadletter_producer: EventProducer
    flush_timeout: float = 30.0
    _ledger_lock: threading.Lock = field(default_factory=threading.Lock)
    _running: set[str] = field(default_factory=set)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def monitor(self) -> MediaMonitor:
        """The client every event goes through."""
        return self.reporter.monitor

    def handle(self, record: Record[Event]) -> None:
        """Process one delivered job (called from one of the job loop's threads)."""
        if isinstance(record.event, TranscodeRequested):
            self.process(record.event, record.timestamp_ms)
        else:
            log.warning("ignoring a non-job event", extra={"type": type(record.event).__name__})

    def process(self, job: TranscodeRequested, requested_ms: int) -> SessionResult | None:
        """Run the session as its next attempt; return once Kafka acknowledged its events.

        Events still in the client's spool (from an outage, or an earlier run) are on the
        topic before the session's history is read, so its attempt number is right.
        """
        # A job delivered twice runs once at a time on this worker; the later run reads the
        # earlier one's history (and finds it recorded).
        with self._changed:
            self._changed.wait_for(lambda: job.session_id not in self._running)
            self._running.add(job.session_id)
        try:
            return self._process(job, requested_ms)
        finally:
            with self._changed:
                self._running.discard(job.session_id)
                self._changed.notify_all()

    def _process(self, job: TranscodeRequested, requested_ms: int) -> SessionResult | None:
        self._settle("before reading the session's history")
        with self._ledger_lock:
            history = self.ledger.history(job.session_id, requested_ms)
        if history.finished:
            log.info("session already recorded", extra={"session_id": job.session_id})
            return None
        for started in history.open_stages:
            self.reporter.lost(started)
        result = self.runner.run(job, history.next_attempt)
        flushed = self.monitor.flush(self.flush_timeout)
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
        if not flushed.acknowledged:
            raise EventsNotAcknowledgedError(
                f"session {job.session_id}: events not acknowledged by Kafka "
                f"({'spooled' if flushed.spooled else 'timed out'}); the job is read again"
            )
        return result

    def _settle(self, why: str) -> None:
        flushed = self.monitor.flush(self.flush_timeout)
        if not flushed.acknowledged:
            raise EventsNotAcknowledgedError(f"earlier events not acknowledged by Kafka {why}")


def build(
    settings: TranscoderSettings,
    bootstrap: Connection,
    topics: Topics,
    codec: AvroCodec | None = None,
    client_id: str = "mediawatch-transcoder",
    extra_consumer: dict[str, Any] | None = None,
    slow: SlowLimits | None = None,
    monitor: MediaMonitor | None = None,
) -> tuple[Worker, JobLoop, ResourceSampler]:
    """Wire a worker, its job loop (``settings.concurrency`` jobs at once) and its sampler.

    Stage events and resource samples go through a :class:`MediaMonitor` of the worker's
    own (``monitor``, built from ``settings`` when omitted); ``slow`` says when a stage or
    an ffmpeg run goes to performance.log (default: 300 s).
    """
    monitor = monitor or MediaMonitor(client_config(settings, bootstrap, topics))
    reporter = StageReporter(monitor)
    producer = EventProducer(producer_config(bootstrap, client_id))
    identity = Producer.current(monitor.config.producer_name)
    runner = SessionRunner(settings, storage_from_settings(settings), reporter, identity)
    runner.slow = slow or SlowLimits()
    ledger = AttemptLedger(bootstrap, topics.pipeline.name, codec)
    worker = Worker(runner, ledger, reporter, producer, settings.flush_timeout_seconds)
    config = consumer_config(
        bootstrap,
        settings.group_id,
        extra={"max.poll.interval.ms": poll_interval_ms(settings), **(extra_consumer or {})},
    )
    loop = JobLoop(
        config,
        topics.jobs.name,
        lambda data: decode_event(data, codec),
        worker.handle,
        DeadLetters(producer, topics.deadletter.name, settings.group_id),
        settings.concurrency,
    )
    sampler = ResourceSampler(
        monitor.report_resources_sync,
        settings.work_dir,
        lambda: runner.active,
        settings.sample_interval_seconds,
    )
    return worker, loop, sampler


def stop_all(loop: JobLoop, runner: SessionRunner) -> None:
    """Stop taking jobs and abandon the running stage (after its grace period)."""
    loop.stop()
    runner.stop.set()


def serve(worker: Worker, loop: JobLoop, sampler: ResourceSampler) -> None:
    """Run until stopped; the sampler runs alongside. At the end the client sends what is
    queued or spools it, within its ``close_timeout``."""
    sampler.start()
    try:
        loop.run()
    finally:
        sampler.stop()
        worker.ledger.close()
        worker.monitor.close()
        worker.deadletter_producer.close(worker.monitor.config.close_timeout)


def serve_in_thread(worker: Worker, loop: JobLoop, sampler: ResourceSampler) -> threading.Thread:
    """Start :func:`serve` in a background thread (tests and the demo)."""
    thread = threading.Thread(target=serve, args=(worker, loop, sampler), daemon=True)
    thread.start()
    return thread
