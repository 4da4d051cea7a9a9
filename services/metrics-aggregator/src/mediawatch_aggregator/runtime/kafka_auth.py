"""TLS and SASL for the aggregator's aiokafka clients, from the same ``KAFKA_*`` settings as
every librdkafka client of the project."""

from __future__ import annotations

import ssl
from typing import Any

import faust
from faust.types.auth import CredentialsT

from mediawatch_common.settings import KafkaSettings


def ssl_context(kafka: KafkaSettings) -> ssl.SSLContext | None:
    """The TLS context of ``kafka`` (None on a plaintext connection).

    It verifies the brokers' certificates and host names against ``KAFKA_SSL_CA_LOCATION``
    (the system CAs when unset), and presents the client certificate when one is set.
    """
    if not kafka.uses_ssl:
        return None
    ca = str(kafka.ssl_ca_location) if kafka.ssl_ca_location else None
    context = ssl.create_default_context(cafile=ca)
    if kafka.ssl_certificate_location and kafka.ssl_key_location:
        password = kafka.ssl_key_password.get_secret_value() if kafka.ssl_key_password else None
        context.load_cert_chain(
            str(kafka.ssl_certificate_location), str(kafka.ssl_key_location), password
        )
    return context


def faust_credentials(kafka: KafkaSettings) -> CredentialsT | None:
    """Faust's ``broker_credentials`` for ``kafka`` (None on a plaintext connection)."""
    context = ssl_context(kafka)
    if kafka.uses_sasl:
        password = kafka.sasl_password.get_secret_value() if kafka.sasl_password else None
        return faust.SASLCredentials(
            username=kafka.sasl_username,
            password=password,
            ssl_context=context,
            mechanism=kafka.sasl_mechanism,
        )
    if context is not None:
        return faust.SSLCredentials(context)
    return None


def aiokafka_security(kafka: KafkaSettings) -> dict[str, Any]:
    """Keyword arguments of an aiokafka client for the security of ``kafka``."""
    found: dict[str, Any] = {"security_protocol": kafka.security_protocol}
    if kafka.uses_ssl:
        found["ssl_context"] = ssl_context(kafka)
    if kafka.uses_sasl:
        found["sasl_mechanism"] = kafka.sasl_mechanism
        found["sasl_plain_username"] = kafka.sasl_username
        if kafka.sasl_password is not None:
            found["sasl_plain_password"] = kafka.sasl_password.get_secret_value()
    return found
