"""Partitions and configs per topic beyond the defaults in code: a topics file and a setting.

The topics file (``KAFKA_TOPICS_FILE``) is TOML, one table per topic by its short name::

    [pipeline]
    partitions = 12

    [pipeline.config]
    "max.message.bytes" = "2097152"

``KAFKA_TOPIC_PARTITIONS=pipeline=12,jobs=12`` sets partitions over the file's.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mediawatch_common.kafka.topics import Topics, TopicSpec
from mediawatch_common.settings import KafkaSettings, SettingsError

_NAMES = tuple(f.name for f in dataclasses.fields(Topics))


@dataclass(frozen=True, slots=True)
class TopicOverride:
    """What the declaration of one topic says beyond the defaults."""

    partitions: int | None = None
    configs: Mapping[str, str] = field(default_factory=dict)


Layout = Mapping[str, TopicOverride]


def load_layout(kafka: KafkaSettings) -> dict[str, TopicOverride]:
    """The overrides of ``KAFKA_TOPICS_FILE`` and ``KAFKA_TOPIC_PARTITIONS``, by short name.

    Raises:
        SettingsError: the file cannot be read, or names an unknown topic or a bad value.
    """
    layout = read_topics_file(kafka.topics_file) if kafka.topics_file else {}
    for name, count in kafka.topic_partitions.items():
        _known(name, "KAFKA_TOPIC_PARTITIONS")
        layout[name] = dataclasses.replace(layout.get(name, TopicOverride()), partitions=count)
    return layout


def read_topics_file(path: Path) -> dict[str, TopicOverride]:
    """Parse a topics file (see the module's docstring)."""
    where = f"KAFKA_TOPICS_FILE={str(path)!r}"
    try:
        tables = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{where}: {exc}") from None
    return {name: _override(name, table, where) for name, table in tables.items()}


def _override(name: str, table: object, where: str) -> TopicOverride:
    _known(name, where)
    if not isinstance(table, dict) or set(table) - {"partitions", "config"}:
        raise SettingsError(f"{where}: [{name}] takes only partitions = N and a [{name}.config]")
    partitions = table.get("partitions")
    if partitions is not None and (not isinstance(partitions, int) or partitions < 1):
        raise SettingsError(f"{where}: [{name}] partitions must be a positive whole number")
    configs = table.get("config", {})
    if not isinstance(configs, dict) or any(isinstance(v, dict | list) for v in configs.values()):
        raise SettingsError(f"{where}: [{name}.config] holds config = value lines only")
    return TopicOverride(partitions, {str(k): _text(v) for k, v in configs.items()})


def _text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _known(name: str, where: str) -> None:
    if name not in _NAMES:
        raise SettingsError(f"{where}: unknown topic {name!r} (one of {', '.join(_NAMES)})")


def apply_layout(topics: Topics, layout: Layout) -> Topics:
    """``topics`` with the partitions and configs of ``layout``."""
    changed: dict[str, TopicSpec] = {}
    for name, override in layout.items():
        spec: TopicSpec = getattr(topics, name)
        configs = {**dict(spec.configs), **override.configs}
        changed[name] = dataclasses.replace(
            spec,
            partitions=override.partitions or spec.partitions,
            configs=tuple(sorted(configs.items())),
        )
    return dataclasses.replace(topics, **changed)
