"""The differences between the declared topics and the cluster: what to change, what to refuse.

Pure: :mod:`~mediawatch_common.kafka.topic_state` reads the cluster and carries a plan out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from mediawatch_common.kafka.topics import TopicSpec


@dataclass(frozen=True, slots=True)
class Observed:
    """A topic as the cluster has it."""

    partitions: int
    configs: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Change:
    """One step that brings a topic to its declaration."""

    topic: str
    kind: Literal["create", "partitions", "config"]
    current: str
    wanted: str
    key: str = ""

    def __str__(self) -> str:
        if self.kind == "create":
            return f"{self.topic}: create with {self.wanted} partitions"
        if self.kind == "partitions":
            return f"{self.topic}: partitions {self.current} -> {self.wanted}"
        return f"{self.topic}: {self.key} {self.current} -> {self.wanted}"


@dataclass(frozen=True, slots=True)
class TopicPlan:
    """Every change the declaration asks for, and those Kafka or the data forbid."""

    changes: tuple[Change, ...]
    refusals: tuple[str, ...]

    @property
    def in_sync(self) -> bool:
        """True when the cluster already matches the declaration."""
        return not self.changes and not self.refusals


def plan_topics(
    specs: Sequence[TopicSpec], observed: Mapping[str, Observed], min_insync_replicas: int
) -> TopicPlan:
    """Compare each declared topic with the cluster's (only the configs we declare)."""
    changes: list[Change] = []
    refusals: list[str] = []
    for spec in specs:
        found = observed.get(spec.name)
        if found is None:
            changes.append(Change(spec.name, "create", "missing", str(spec.partitions)))
            continue
        for item in _compare(spec, found, min_insync_replicas):
            if isinstance(item, Change):
                changes.append(item)
            else:
                refusals.append(item)
    return TopicPlan(tuple(changes), tuple(refusals))


def _compare(spec: TopicSpec, found: Observed, min_insync: int) -> Iterator[Change | str]:
    if spec.partitions < found.partitions:
        yield (
            f"{spec.name} has {found.partitions} partitions but declares {spec.partitions}: "
            f"Kafka cannot remove partitions; declare {found.partitions} or more"
        )
    elif spec.partitions > found.partitions and spec.fixed_partitions:
        yield (
            f"{spec.name} declares {spec.partitions} partitions but keeps its "
            f"{found.partitions}: {spec.fixed_partitions}"
        )
    elif spec.partitions > found.partitions:
        yield Change(spec.name, "partitions", str(found.partitions), str(spec.partitions))
    for key, wanted in spec.config(min_insync).items():
        current = found.configs.get(key)
        if current == wanted:
            continue
        refusal = _policy_refusal(spec.name, current, wanted) if key == "cleanup.policy" else ""
        if refusal:
            yield refusal
            continue
        yield Change(spec.name, "config", str(current), wanted, key)


def _policy_refusal(topic: str, current: str | None, wanted: str) -> str:
    """Why a topic's cleanup policy must not go from ``current`` to ``wanted`` ("": it may).

    Compaction keeps only the last message per key: switching an existing topic to it destroys
    the history of every key that replay and incident analysis read; switching a compacted
    topic away from it drops or keeps history its readers rely on.
    """
    was_compacted = "compact" in (current or "")
    if was_compacted:
        return (
            f"{topic} is compacted (cleanup.policy={current}) but declares "
            f"cleanup.policy={wanted}: changing a compacted topic's cleanup policy would "
            "drop or keep history its readers rely on; migrate to a new topic instead"
        )
    if "compact" in wanted:
        return (
            f"{topic} keeps every message (cleanup.policy={current or 'delete'}) but declares "
            f"cleanup.policy={wanted}: compaction would keep only the last message per key "
            "and destroy the history replay and incident analysis read; declare compaction "
            "before the topic is created, or migrate to a new topic instead"
        )
    return ""
