"""What a benchmark figure is, and the context every figure gets."""

from __future__ import annotations

import statistics
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

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
    topics: list[str] = field(default_factory=list)
    _admin: AdminClient | None = None

    def admin(self) -> AdminClient:
        if self._admin is None:
            self._admin = AdminClient({"bootstrap.servers": self.bootstrap})
        return self._admin

    def new_topic(self, label: str, partitions: int = 3) -> str:
        """A fresh topic for one measurement; deleted at the end of the run."""
        name = f"bench.{label}.{uuid.uuid4().hex[:8]}"
        self.admin().create_topics([NewTopic(name, partitions, 1)])[name].result()
        time.sleep(0.5)  # let the leaders settle before timing anything
        self.topics.append(name)
        return name

    def cleanup(self) -> None:
        if self.topics:
            self.admin().delete_topics(self.topics)


def median(values: list[float]) -> float:
    return statistics.median(values)


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


FigureFn = Callable[[Context], Figure]
