"""A start-up check that the brokers accept our credentials and certificates.

librdkafka retries a rejected login or an untrusted certificate forever, logging each attempt.
A process checks once at start-up and stops with a message naming the setting to fix; a broker
that is merely unreachable is left to the clients' own retries.
"""

from __future__ import annotations

import time
from typing import Any

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient

from mediawatch_common.kafka.connection import connection_config
from mediawatch_common.settings import KafkaSettings


class KafkaAccessError(RuntimeError):
    """The brokers refused the connection settings; the message names the setting to fix."""


def check_access(kafka: KafkaSettings, timeout: float = 10.0) -> bool:
    """Ask the brokers for metadata until they answer, refuse us, or ``timeout`` passes.

    Returns:
        True when the brokers answered, False when none was reachable in time.

    Raises:
        KafkaAccessError: the SASL login was rejected or the TLS handshake failed.
    """
    if kafka.security_protocol == "PLAINTEXT":
        return True
    errors: list[KafkaError] = []
    config: dict[str, Any] = {**connection_config(kafka), "error_cb": errors.append}
    admin = AdminClient({**config, "log_level": 0})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            admin.list_topics(timeout=1.0)
            return True
        except KafkaException as exc:
            errors.extend(e for e in exc.args if isinstance(e, KafkaError))
        admin.poll(0)
        for error in errors:
            problem = describe_refusal(kafka, error)
            if problem is not None:
                raise KafkaAccessError(problem)
    return False


def describe_refusal(kafka: KafkaSettings, error: KafkaError) -> str | None:
    """The message for an error that retrying cannot fix, or None for any other error."""
    text = error.str()
    where = f"the brokers at {kafka.bootstrap_servers}"
    if error.code() == KafkaError._AUTHENTICATION and "SSL" not in text:
        return (
            f"{where} rejected the SASL login of KAFKA_SASL_USERNAME={kafka.sasl_username!r} "
            f"with KAFKA_SASL_MECHANISM={kafka.sasl_mechanism}: check KAFKA_SASL_PASSWORD "
            f"(or KAFKA_SASL_PASSWORD_FILE) [{text}]"
        )
    if "certificate verify failed" in text:
        ca = str(kafka.ssl_ca_location) if kafka.ssl_ca_location else "unset: the system CAs"
        return (
            f"{where} presented a certificate that is not trusted: set KAFKA_SSL_CA_LOCATION "
            f"to the CA that signed it (now {ca}) [{text}]"
        )
    if error.code() in (KafkaError._SSL, KafkaError._AUTHENTICATION):
        return (
            f"the TLS handshake with {where} failed: check KAFKA_SECURITY_PROTOCOL="
            f"{kafka.security_protocol} and the KAFKA_SSL_* settings [{text}]"
        )
    return None
