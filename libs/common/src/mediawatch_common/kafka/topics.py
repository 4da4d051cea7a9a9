"""Every topic of the system, declared once, and their creation on a broker."""

from __future__ import annotations

import time
from dataclasses import dataclass

from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

FOREVER = -1
DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic: its role in the event flow and how long it keeps history."""

    name: str
    partitions: int
    retention_ms: int
    key: str
    events: tuple[str, ...]
    doc: str
    configs: tuple[tuple[str, str], ...] = ()
    """Topic configs declared on top of the defaults (a topics file), e.g. max.message.bytes."""
    fixed_partitions: str = ""
    """Why partitions must never be added to this topic once it exists ("": they may be)."""

    def config(self, min_insync_replicas: int) -> dict[str, str]:
        """Topic-level configuration to create it with, and to keep it at."""
        return {
            "retention.ms": str(self.retention_ms),
            "cleanup.policy": "delete",
            "min.insync.replicas": str(min_insync_replicas),
            **dict(self.configs),
        }

    @property
    def suffix(self) -> str:
        """The name without the prefix (``pipeline``), as settings and topics files say it."""
        return self.name.rsplit(".", 1)[-1]


@dataclass(frozen=True, slots=True)
class Topics:
    """The topic names in use, derived from one prefix (``KAFKA_TOPIC_PREFIX``)."""

    jobs: TopicSpec
    pipeline: TopicSpec
    resources: TopicSpec
    windows: TopicSpec
    alerts: TopicSpec
    logs: TopicSpec
    deadletter: TopicSpec

    def all(self) -> tuple[TopicSpec, ...]:
        """Every topic, in event-flow order."""
        return (
            self.jobs,
            self.pipeline,
            self.resources,
            self.windows,
            self.alerts,
            self.logs,
            self.deadletter,
        )


def declare_topics(prefix: str = "mediawatch", partitions: int | None = None) -> Topics:
    """The declaration of every topic; ``partitions`` overrides the counts (tests use 1)."""

    def spec(
        suffix: str,
        count: int,
        retention_ms: int,
        key: str,
        events: tuple[str, ...],
        doc: str,
        fixed: str = "",
    ) -> TopicSpec:
        name, count = f"{prefix}.{suffix}", partitions or count
        return TopicSpec(name, count, retention_ms, key, events, doc, fixed_partitions=fixed)

    return Topics(
        jobs=spec(
            "jobs",
            6,
            7 * DAY_MS,
            "session_id",
            ("TranscodeRequested",),
            "Sessions waiting for a transcoder worker.",
        ),
        pipeline=spec(
            "pipeline",
            6,
            FOREVER,
            "session_id",
            ("StageStarted", "StageCompleted"),
            "Every stage of every session: the event store of the pipeline.",
        ),
        resources=spec(
            "resources",
            3,
            30 * DAY_MS,
            "host",
            ("ResourceSample", "HealthChecked"),
            "CPU, memory and disk samples and health check results, per host.",
        ),
        windows=spec(
            "windows",
            3,
            30 * DAY_MS,
            "stage",
            ("WindowAggregated",),
            "Windowed error rates and duration percentiles per stage.",
        ),
        alerts=spec(
            "alerts",
            3,
            FOREVER,
            "fingerprint",
            (
                "AlertRaised",
                "AlertResolved",
                "AlertAcknowledged",
                "AlertDelivered",
                "AlertDeliveryFailed",
                "SilenceCreated",
                "SilenceExpired",
            ),
            "Alert lifecycle events: the event store of alerting.",
            fixed=(
                "the alerter and notifier rebuild their state from it in the order of each "
                "fingerprint's events, which holds only while those stay in one partition"
            ),
        ),
        logs=spec(
            "logs",
            3,
            7 * DAY_MS,
            "logger",
            ("LogRecorded",),
            "Structured log records of every service.",
        ),
        deadletter=spec(
            "deadletter",
            1,
            FOREVER,
            "origin",
            (),
            "Messages no consumer could decode, with the reason in headers.",
        ),
    )


def ensure_topics(
    admin: AdminClient,
    specs: tuple[TopicSpec, ...],
    replication_factor: int,
    min_insync_replicas: int,
    timeout: float = 30.0,
) -> list[str]:
    """Create the topics that do not exist yet; return the names created.

    Existing topics are left as they are, so running this twice is harmless.
    """
    wanted = new_topics(specs, replication_factor, min_insync_replicas)
    return create_missing_topics(admin, wanted, timeout)


def new_topics(
    specs: tuple[TopicSpec, ...], replication_factor: int, min_insync_replicas: int
) -> list[NewTopic]:
    """The creation requests of ``specs``, for :func:`create_missing_topics`."""
    return [
        NewTopic(
            s.name,
            num_partitions=s.partitions,
            replication_factor=replication_factor,
            config=s.config(min_insync_replicas),
        )
        for s in specs
    ]


def create_missing_topics(
    admin: AdminClient, topics: list[NewTopic], timeout: float = 30.0
) -> list[str]:
    """Create those of ``topics`` that do not exist yet and wait for their leaders; return the
    names created (a topic another client creates meanwhile counts as existing)."""
    existing = set(admin.list_topics(timeout=timeout).topics)
    wanted = [t for t in topics if t.topic not in existing]
    if not wanted:
        return []
    futures = admin.create_topics(wanted, operation_timeout=timeout, request_timeout=timeout)
    created = []
    for name, future in futures.items():
        try:
            future.result()
            created.append(name)
        except Exception as exc:
            if "TOPIC_ALREADY_EXISTS" not in str(exc):
                raise
    wait_for_leaders(admin, created, timeout)
    return sorted(created)


def wait_for_leaders(
    admin: AdminClient, names: list[str], timeout: float, counts: list[int] | None = None
) -> None:
    """Block until every partition of ``names`` has a leader, so producers can use them
    (and, with ``counts``, until each topic shows that many partitions)."""
    deadline = time.monotonic() + timeout
    wanted = dict(zip(names, counts or [1] * len(names), strict=True))
    while names:
        topics = admin.list_topics(timeout=timeout).topics
        if all(
            name in topics
            and len(topics[name].partitions) >= wanted[name]
            and all(p.leader >= 0 for p in topics[name].partitions.values())
            for name in names
        ):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"topics without a leader after {timeout}s: {', '.join(names)}")
        time.sleep(0.1)
