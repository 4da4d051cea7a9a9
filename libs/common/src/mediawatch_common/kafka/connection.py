"""The connection properties of every Kafka client, derived from the settings in one place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mediawatch_common.settings import KafkaSettings

Connection = str | Mapping[str, Any]
"""How a client reaches the brokers: a bootstrap list (a plaintext cluster) or the librdkafka
properties :func:`connection_config` derives from ``KAFKA_*``."""


def connection_config(kafka: KafkaSettings) -> dict[str, Any]:
    """librdkafka properties for the brokers, TLS and SASL of ``kafka``.

    The result holds the SASL password in clear: pass it to clients, never log it.
    """
    config: dict[str, Any] = {
        "bootstrap.servers": kafka.bootstrap_servers,
        "security.protocol": kafka.security_protocol,
    }
    if kafka.uses_sasl:
        config["sasl.mechanism"] = kafka.sasl_mechanism
        config["sasl.username"] = kafka.sasl_username
        if kafka.sasl_password is not None:
            config["sasl.password"] = kafka.sasl_password.get_secret_value()
    if kafka.uses_ssl:
        paths = {
            "ssl.ca.location": kafka.ssl_ca_location,
            "ssl.certificate.location": kafka.ssl_certificate_location,
            "ssl.key.location": kafka.ssl_key_location,
        }
        config.update({key: str(path) for key, path in paths.items() if path is not None})
        if kafka.ssl_key_password is not None:
            config["ssl.key.password"] = kafka.ssl_key_password.get_secret_value()
    return config


def client_properties(connection: Connection) -> dict[str, Any]:
    """The librdkafka properties of ``connection``, to which a client adds its own."""
    if isinstance(connection, str):
        return {"bootstrap.servers": connection}
    return dict(connection)


def bootstrap_of(connection: Connection) -> str:
    """The bootstrap list of ``connection``, for messages (never the credentials)."""
    return str(client_properties(connection)["bootstrap.servers"])


def java_client_properties(kafka: KafkaSettings) -> dict[str, str]:
    """The same connection for Kafka's own Java tools (a ``client.properties`` file).

    Covers TLS with a CA file and SASL; a client certificate is not carried over.
    """
    props = {"bootstrap.servers": kafka.bootstrap_servers}
    props["security.protocol"] = kafka.security_protocol
    if kafka.uses_sasl and kafka.sasl_password is not None:
        module = (
            "org.apache.kafka.common.security.plain.PlainLoginModule"
            if kafka.sasl_mechanism == "PLAIN"
            else "org.apache.kafka.common.security.scram.ScramLoginModule"
        )
        password = kafka.sasl_password.get_secret_value().replace('"', '\\"')
        props["sasl.mechanism"] = str(kafka.sasl_mechanism)
        props["sasl.jaas.config"] = (
            f'{module} required username="{kafka.sasl_username}" password="{password}";'
        )
    if kafka.uses_ssl and kafka.ssl_ca_location is not None:
        props["ssl.truststore.type"] = "PEM"
        props["ssl.truststore.location"] = str(kafka.ssl_ca_location)
    return props
