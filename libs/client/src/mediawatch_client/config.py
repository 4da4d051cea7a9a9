"""Client settings, read once from the environment or given explicitly."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_SECURITY = {
    "KAFKA_SECURITY_PROTOCOL": "security.protocol",
    "KAFKA_SASL_MECHANISM": "sasl.mechanism",
    "KAFKA_SASL_USERNAME": "sasl.username",
    "KAFKA_SSL_CA_LOCATION": "ssl.ca.location",
    "KAFKA_SSL_CERTIFICATE_LOCATION": "ssl.certificate.location",
    "KAFKA_SSL_KEY_LOCATION": "ssl.key.location",
}


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Where and how the client reports.

    Attributes:
        bootstrap_servers: Kafka brokers (``KAFKA_BOOTSTRAP_SERVERS``).
        topic_prefix: Prefix of every topic name (``KAFKA_TOPIC_PREFIX``).
        producer_name: The ``service`` named in every event (``MEDIAWATCH_PRODUCER_NAME``;
            default: the program's file name).
        spool_dir: Where events wait while Kafka is unreachable (``MEDIAWATCH_SPOOL_DIR``).
        spool_max_bytes: Size cap of the spool (``MEDIAWATCH_SPOOL_MAX_BYTES``); events that
            do not fit are dropped, newest first, with a warning.
        queue_size: Events waiting for the sender thread; beyond it new events are dropped.
        delivery_timeout: Seconds a batch may wait for Kafka before it is spooled.
        retry_interval: Seconds between attempts to send the spool while Kafka is away.
        close_timeout: Seconds ``close()`` (and exit) may take; what is left is spooled.
        kafka: Extra librdkafka settings (security), applied to the producer.
    """

    bootstrap_servers: str = "127.0.0.1:9092"
    topic_prefix: str = "mediawatch"
    producer_name: str = field(default_factory=lambda: _program_name())
    spool_dir: Path = Path("temp/mediawatch-spool")
    spool_max_bytes: int = 256 * 1024 * 1024
    queue_size: int = 100_000
    delivery_timeout: float = 5.0
    retry_interval: float = 2.0
    close_timeout: float = 10.0
    kafka: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("spool_max_bytes", "queue_size"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        for name in ("delivery_timeout", "retry_interval", "close_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive seconds")

    @property
    def pipeline_topic(self) -> str:
        """The topic stage events go to."""
        return f"{self.topic_prefix}.pipeline"

    @property
    def resources_topic(self) -> str:
        """The topic resource samples go to."""
        return f"{self.topic_prefix}.resources"

    @property
    def alerts_topic(self) -> str:
        """The topic custom alerts go to."""
        return f"{self.topic_prefix}.alerts"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ClientConfig:
        """Settings from environment variables; unset ones keep their defaults.

        Raises:
            ValueError: A variable holds a value of the wrong kind (named in the message).
        """
        env = os.environ if environ is None else environ
        given: dict[str, Any] = {}
        for var, attr, kind in (
            ("KAFKA_BOOTSTRAP_SERVERS", "bootstrap_servers", str),
            ("KAFKA_TOPIC_PREFIX", "topic_prefix", str),
            ("MEDIAWATCH_PRODUCER_NAME", "producer_name", str),
            ("MEDIAWATCH_SPOOL_DIR", "spool_dir", Path),
            ("MEDIAWATCH_SPOOL_MAX_BYTES", "spool_max_bytes", int),
        ):
            if env.get(var):
                try:
                    given[attr] = kind(env[var])
                except ValueError as exc:
                    raise ValueError(f"{var}={env[var]!r}: {exc}") from exc
        kafka = {key: env[var] for var, key in _SECURITY.items() if env.get(var)}
        for var, key in (("KAFKA_SASL_PASSWORD", "sasl.password"),
                         ("KAFKA_SSL_KEY_PASSWORD", "ssl.key.password")):  # fmt: skip
            secret = _secret(env, var)
            if secret is not None:
                kafka[key] = secret
        return cls(**given, kafka=kafka)


def _secret(env: Mapping[str, str], var: str) -> str | None:
    if env.get(var):
        return env[var]
    path = env.get(f"{var}_FILE")
    return Path(path).read_text(encoding="utf-8").strip() if path else None


def _program_name() -> str:
    name = Path(sys.argv[0]).stem if sys.argv and sys.argv[0] else ""
    return name if name and name not in ("-c", "-m") else "pipeline"
