"""The broker connection (``KAFKA_*``): where the brokers are and how clients authenticate."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Self

from pydantic import Field, FilePath, PositiveInt, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


_OPTIONAL = frozenset(
    {
        "sasl_mechanism",
        "sasl_username",
        "sasl_password",
        "sasl_password_file",
        "ssl_ca_location",
        "ssl_certificate_location",
        "ssl_key_location",
        "ssl_key_password",
        "topics_file",
        "topic_partitions",
    }
)


def settings_config(prefix: str) -> SettingsConfigDict:
    """The configuration every settings class shares: frozen, by prefix, extra ignored."""
    return SettingsConfigDict(env_prefix=prefix, frozen=True, extra="ignore", case_sensitive=False)


class KafkaSettings(BaseSettings):
    """The broker connection (``KAFKA_*``).

    Every Kafka client of the project (producers, consumers, admin clients, the aggregator's
    Faust app) is built from these settings through
    :func:`mediawatch_common.kafka.connection.connection_config`, so a secured cluster needs
    nothing but these variables.
    """

    model_config = settings_config("KAFKA_")

    bootstrap_servers: str = Field(
        "127.0.0.1:9092", min_length=1, description="Comma-separated host:port list."
    )
    topic_prefix: str = Field(
        "mediawatch", pattern=r"^[A-Za-z0-9._-]+$", description="Prefix of every topic name."
    )
    replication_factor: PositiveInt = Field(
        1, description="Replication factor of topics created by `mediawatch topics create`."
    )
    min_insync_replicas: PositiveInt = Field(
        1, description="min.insync.replicas of topics created by us."
    )
    client_id: str = Field("mediawatch", min_length=1, description="Client id prefix.")
    security_protocol: SecurityProtocol = Field(
        "PLAINTEXT", description="How clients talk to the brokers: TLS (SSL), SASL, both, neither."
    )
    sasl_mechanism: SaslMechanism | None = Field(
        None, description="SASL mechanism; required with SASL_PLAINTEXT and SASL_SSL."
    )
    sasl_username: str | None = Field(None, min_length=1, description="SASL user name.")
    sasl_password: SecretStr | None = Field(None, description="SASL password (never logged).")
    sasl_password_file: FilePath | None = Field(
        None, description="File holding the SASL password, instead of KAFKA_SASL_PASSWORD."
    )
    ssl_ca_location: FilePath | None = Field(
        None, description="PEM file of the CA certificates that sign the brokers' certificates."
    )
    ssl_certificate_location: FilePath | None = Field(
        None, description="PEM client certificate, for brokers that require one (mutual TLS)."
    )
    ssl_key_location: FilePath | None = Field(
        None, description="PEM private key of the client certificate."
    )
    ssl_key_password: SecretStr | None = Field(
        None, description="Password of the client certificate's private key (never logged)."
    )
    access_check_seconds: float = Field(
        10.0,
        ge=0,
        le=120,
        description=(
            "How long a command waits at start for a secured cluster's brokers to answer the "
            "login check before going on without it (0 skips the check)."
        ),
    )

    topics_file: FilePath | None = Field(
        None, description="TOML file declaring partitions and configs per topic."
    )
    topic_partitions: dict[str, PositiveInt] = Field(
        default_factory=dict,
        description="Partitions per topic, e.g. pipeline=12,jobs=12 (over the topics file).",
    )

    @field_validator("topic_partitions", mode="before")
    @classmethod
    def _partitions(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        pairs = [item.strip() for item in value.split(",") if item.strip()]
        if any(pair.count("=") != 1 for pair in pairs):
            raise ValueError("expected name=count pairs separated by commas, e.g. pipeline=12")
        return {name.strip(): count.strip() for name, count in (p.split("=") for p in pairs)}

    @model_validator(mode="before")
    @classmethod
    def _password_from_file(cls, data: Any) -> Any:
        if isinstance(data, dict):  # an empty variable (e.g. from a compose file) is unset
            data = {k: v for k, v in data.items() if not (k in _OPTIONAL and v == "")}
        if not isinstance(data, dict) or not data.get("sasl_password_file"):
            return data
        if data.get("sasl_password"):
            raise ValueError("set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both")
        path = Path(str(data["sasl_password_file"]))
        try:
            password = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ValueError(f"KAFKA_SASL_PASSWORD_FILE={str(path)!r}: {exc.strerror}") from None
        return {**data, "sasl_password": password}

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.security_protocol.startswith("SASL_"):
            missing = [
                f"KAFKA_{name.upper()}"
                for name in ("sasl_mechanism", "sasl_username", "sasl_password")
                if getattr(self, name) is None
            ]
            if missing:
                raise ValueError(
                    f"KAFKA_SECURITY_PROTOCOL={self.security_protocol} needs " + ", ".join(missing)
                )
        if (self.ssl_certificate_location is None) != (self.ssl_key_location is None):
            raise ValueError(
                "KAFKA_SSL_CERTIFICATE_LOCATION and KAFKA_SSL_KEY_LOCATION go together"
            )
        return self

    @property
    def uses_ssl(self) -> bool:
        """True when the connection is encrypted (SSL or SASL_SSL)."""
        return self.security_protocol.endswith("SSL")

    @property
    def uses_sasl(self) -> bool:
        """True when clients authenticate with SASL."""
        return self.security_protocol.startswith("SASL_")
