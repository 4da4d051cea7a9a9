from __future__ import annotations

from pathlib import Path

import pytest

from mediawatch_common.kafka import declare_topics
from mediawatch_common.kafka.topic_layout import apply_layout, load_layout
from mediawatch_common.kafka.topic_plan import Observed, plan_topics
from mediawatch_common.settings import SettingsError, load_settings

pytestmark = pytest.mark.unit

TOPICS = declare_topics("mw")


def _as_declared(partitions: int, **configs: str) -> Observed:
    base = {"retention.ms": "-1", "cleanup.policy": "delete", "min.insync.replicas": "1"}
    return Observed(partitions, {**base, **configs})


def test_missing_topics_are_created_and_matching_ones_left_alone() -> None:
    plan = plan_topics([TOPICS.pipeline, TOPICS.jobs], {"mw.pipeline": _as_declared(6)}, 1)
    assert [str(c) for c in plan.changes] == ["mw.jobs: create with 6 partitions"]
    assert not plan.refusals
    assert plan_topics([TOPICS.pipeline], {"mw.pipeline": _as_declared(6)}, 1).in_sync


def test_partitions_grow_and_configs_follow_the_declaration() -> None:
    layout = {
        "pipeline": load_layout(load_settings({"KAFKA_TOPIC_PARTITIONS": "pipeline=12"}).kafka)[
            "pipeline"
        ]
    }
    grown = apply_layout(TOPICS, layout).pipeline
    plan = plan_topics([grown], {"mw.pipeline": _as_declared(6, **{"retention.ms": "100"})}, 2)
    assert [str(c) for c in plan.changes] == [
        "mw.pipeline: partitions 6 -> 12",
        "mw.pipeline: retention.ms 100 -> -1",
        "mw.pipeline: min.insync.replicas 1 -> 2",
    ]


def test_shrinking_and_uncompacting_are_refused() -> None:
    observed = {"mw.pipeline": _as_declared(12, **{"cleanup.policy": "compact,delete"})}
    plan = plan_topics([TOPICS.pipeline], observed, 1)
    assert not plan.changes
    assert plan.refusals == (
        "mw.pipeline has 12 partitions but declares 6: Kafka cannot remove partitions; "
        "declare 12 or more",
        "mw.pipeline is compacted (cleanup.policy=compact,delete) but declares "
        "cleanup.policy=delete: changing a compacted topic's cleanup policy would drop or "
        "keep history its readers rely on; migrate to a new topic instead",
    )


def test_a_topics_file_sets_partitions_and_configs(tmp_path: Path) -> None:
    path = tmp_path / "topics.toml"
    path.write_text(
        '[pipeline]\npartitions = 12\n[pipeline.config]\n"max.message.bytes" = 2097152\n'
        "[jobs]\npartitions = 8\n"
    )
    kafka = load_settings(
        {"KAFKA_TOPICS_FILE": str(path), "KAFKA_TOPIC_PARTITIONS": "jobs=24"}
    ).kafka
    topics = apply_layout(TOPICS, load_layout(kafka))
    assert (topics.pipeline.partitions, topics.jobs.partitions, topics.alerts.partitions) == (
        12,
        24,
        3,
    )
    assert topics.pipeline.config(1)["max.message.bytes"] == "2097152"
    assert topics.pipeline.config(1)["retention.ms"] == "-1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[pipline]\npartitions = 12\n", "unknown topic 'pipline'"),
        ("[pipeline]\npartitions = 0\n", "positive whole number"),
        ("[pipeline]\nreplicas = 3\n", "takes only partitions"),
        ("[pipeline\n", "KAFKA_TOPICS_FILE="),
    ],
)
def test_a_bad_topics_file_is_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "topics.toml"
    path.write_text(text)
    with pytest.raises(SettingsError, match=message):
        load_layout(load_settings({"KAFKA_TOPICS_FILE": str(path)}).kafka)


def test_an_unknown_topic_in_the_setting_is_named() -> None:
    kafka = load_settings({"KAFKA_TOPIC_PARTITIONS": "pipelines=12"}).kafka
    with pytest.raises(SettingsError, match="KAFKA_TOPIC_PARTITIONS: unknown topic 'pipelines'"):
        load_layout(kafka)


def test_the_alerts_topic_never_grows() -> None:
    layout = load_layout(load_settings({"KAFKA_TOPIC_PARTITIONS": "alerts=6"}).kafka)
    grown = apply_layout(TOPICS, layout).alerts
    plan = plan_topics([grown], {"mw.alerts": _as_declared(3)}, 1)
    assert not plan.changes
    (refusal,) = plan.refusals
    assert refusal.startswith("mw.alerts declares 6 partitions but keeps its 3: the alerter")
    assert [str(c) for c in plan_topics([grown], {}, 1).changes] == [
        "mw.alerts: create with 6 partitions"
    ]


@pytest.mark.parametrize("wanted", ["compact", "compact,delete", "delete,compact"])
def test_compacting_a_topic_that_keeps_every_message_is_refused(
    tmp_path: Path, wanted: str
) -> None:
    path = tmp_path / "topics.toml"
    path.write_text(f'[logs.config]\n"cleanup.policy" = "{wanted}"\n')
    layout = load_layout(load_settings({"KAFKA_TOPICS_FILE": str(path)}).kafka)
    logs = apply_layout(TOPICS, layout).logs
    observed = {"mw.logs": _as_declared(3, **{"retention.ms": "604800000"})}
    plan = plan_topics([logs], observed, 1)
    assert not plan.changes
    assert plan.refusals == (
        f"mw.logs keeps every message (cleanup.policy=delete) but declares "
        f"cleanup.policy={wanted}: compaction would keep only the last message per key and "
        "destroy the history replay and incident analysis read; declare compaction before the "
        "topic is created, or migrate to a new topic instead",
    )
    assert [str(c) for c in plan_topics([logs], {}, 1).changes] == [
        "mw.logs: create with 3 partitions"
    ]
