"""What a benchmark figure is, and the context every figure gets."""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from mediawatch_common.kafka import connection_config, java_client_properties
from mediawatch_common.settings import KafkaSettings, load_settings

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True)
class Figure:
    """One row of the report: our median, the baseline's median, and the target."""

    name: str
    unit: str
    ours: float
    baseline: float | None
    baseline_name: str
    target: str
    met: bool | None
    samples: dict[str, list[float]] = field(default_factory=dict)
    notes: str = ""

    @property
    def ratio(self) -> float | None:
        """ours / baseline, when there is a baseline."""
        return None if not self.baseline else self.ours / self.baseline

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}


@dataclass(slots=True)
class Context:
    """Sizes and connections shared by the figures of one run."""

    bootstrap: str
    quick: bool
    repeats: int
    events: int
    tool_repeats: int = 0
    """Runs of Kafka's own Java tools per figure (each starts a JVM); 0: ``repeats``."""
    topics: list[str] = field(default_factory=list)
    memory: dict[str, list[float]] = field(default_factory=dict)
    """Peak RSS (MiB) of each service process, sampled after each measured round."""
    security: dict[str, str] = field(default_factory=dict)
    """The KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_* and KAFKA_SSL_* variables of the run, given to
    every client, service and Kafka tool it starts."""
    _cleanups: list[Callable[[], None]] = field(default_factory=list)
    _admin: AdminClient | None = None
    _tool_config: Path | None = None

    @property
    def tool_runs(self) -> int:
        return self.tool_repeats or self.repeats

    def service_env(self) -> dict[str, str]:
        """The KAFKA_* variables of a service process the run starts."""
        return {"KAFKA_BOOTSTRAP_SERVERS": self.bootstrap, **self.security}

    @property
    def kafka(self) -> KafkaSettings:
        return load_settings(self.service_env()).kafka

    @property
    def connection(self) -> dict[str, Any]:
        """librdkafka connection properties (brokers, TLS, SASL) of every client of the run."""
        return connection_config(self.kafka)

    def tool_config(self) -> Path:
        """A client.properties file with the connection, for Kafka's own Java tools."""
        if self._tool_config is None:
            path = Path(tempfile.mkstemp(prefix="bench-client-", suffix=".properties")[1])
            props = java_client_properties(self.kafka)
            path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
            self._tool_config = path
            self.defer(lambda: path.unlink(missing_ok=True))
        return self._tool_config

    def admin(self) -> AdminClient:
        if self._admin is None:
            self._admin = AdminClient(self.connection)
        return self._admin

    def new_topic(self, label: str, partitions: int = 3) -> str:
        """A fresh topic for one measurement; deleted at the end of the run."""
        return self.new_topic_named(f"bench.{label}.{uuid.uuid4().hex[:8]}", partitions)

    def new_topic_named(self, name: str, partitions: int = 3) -> str:
        """Create topic ``name`` for one measurement; deleted at the end of the run."""
        self.admin().create_topics([NewTopic(name, partitions, 1)])[name].result()
        time.sleep(0.5)  # let the leaders settle before timing anything
        self.topics.append(name)
        return name

    def defer(self, undo: Callable[[], None]) -> None:
        """Run ``undo`` at the end of the run (schemas, processes), last registered first."""
        self._cleanups.append(undo)

    def cleanup(self) -> None:
        for undo in reversed(self._cleanups):
            try:
                undo()
            except Exception as exc:  # one failed cleanup must not keep the others from running
                print(f"cleanup failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        self._cleanups.clear()
        if self.topics:
            self.admin().delete_topics(self.topics)
            self.topics.clear()


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank ``q`` percentile (0 < q <= 100) of ``values``."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def kafka_tool(*args: str, timeout: float = 600) -> str:
    """Run one of Kafka's own tools from the fetched jars; return its stdout."""
    done = subprocess.run(
        ["bash", str(REPO / "infra/stack/kafka.sh"), "run-class", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {done.stderr[-2000:]}")
    return done.stdout


FigureFn = Callable[[Context], Figure | list[Figure]]
