"""Read the declared topics' state from a cluster and carry a :class:`TopicPlan` out."""

from __future__ import annotations

from collections.abc import Sequence

from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._config import AlterConfigOpType, ConfigEntry, ConfigResource
from confluent_kafka.admin._resource import ResourceType
from confluent_kafka.cimpl import NewPartitions

from mediawatch_common.kafka.topic_plan import Observed, TopicPlan
from mediawatch_common.kafka.topics import (
    TopicSpec,
    create_missing_topics,
    new_topics,
    wait_for_leaders,
)


def observe(admin: AdminClient, names: Sequence[str], timeout: float = 30.0) -> dict[str, Observed]:
    """Partitions and configs of those of ``names`` that exist."""
    metadata = admin.list_topics(timeout=timeout).topics
    present = [name for name in names if name in metadata]
    if not present:
        return {}
    resources = [ConfigResource(ResourceType.TOPIC, name) for name in present]
    futures = admin.describe_configs(resources, request_timeout=timeout)
    configs = {
        resource.name: {key: str(entry.value) for key, entry in future.result().items()}
        for resource, future in futures.items()
    }
    return {
        name: Observed(len(metadata[name].partitions), configs.get(name, {})) for name in present
    }


def apply_plan(
    admin: AdminClient,
    plan: TopicPlan,
    specs: Sequence[TopicSpec],
    replication_factor: int,
    min_insync_replicas: int,
    timeout: float = 30.0,
) -> None:
    """Create missing topics, add partitions and set configs, waiting for each step.

    Raises:
        ValueError: the plan holds refusals (nothing is changed then).
        KafkaException: the cluster rejected a step.
    """
    if plan.refusals:
        raise ValueError("; ".join(plan.refusals))
    by_name = {spec.name: spec for spec in specs}
    created = [by_name[c.topic] for c in plan.changes if c.kind == "create"]
    if created:
        create_missing_topics(
            admin, new_topics(tuple(created), replication_factor, min_insync_replicas), timeout
        )
    grown = [NewPartitions(c.topic, int(c.wanted)) for c in plan.changes if c.kind == "partitions"]
    if grown:
        for future in admin.create_partitions(grown, request_timeout=timeout).values():
            future.result()
        wait_for_leaders(
            admin, [g.topic for g in grown], timeout, [int(g.new_total_count) for g in grown]
        )
    entries: dict[str, list[ConfigEntry]] = {}
    for change in plan.changes:
        if change.kind == "config":
            entries.setdefault(change.topic, []).append(
                ConfigEntry(change.key, change.wanted, incremental_operation=AlterConfigOpType.SET)
            )
    if entries:
        resources = [
            ConfigResource(ResourceType.TOPIC, topic, incremental_configs=configs)
            for topic, configs in entries.items()
        ]
        for future in admin.incremental_alter_configs(resources, request_timeout=timeout).values():
            future.result()
