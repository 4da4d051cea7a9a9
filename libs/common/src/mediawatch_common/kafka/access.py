"""A start-up check that the brokers accept our credentials and certificates.

librdkafka retries a rejected login or an untrusted certificate forever, logging each attempt.
A process checks once at start-up and stops with a message naming the setting to fix; brokers
that do not answer within ``KAFKA_ACCESS_CHECK_SECONDS`` are reported and left to the
clients' own retries.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient

from mediawatch_common.kafka.connection import connection_config
from mediawatch_common.settings import KafkaSettings


class KafkaAccessError(RuntimeError):
    """The brokers refused the connection settings; the message names the setting to fix."""


def check_access(kafka: KafkaSettings, waiting: Callable[[], None] = lambda: None) -> bool:
    """Ask the brokers for metadata until they answer, refuse us, or
    ``kafka.access_check_seconds`` pass; ``waiting`` is called once, when the first request
    went unanswered. Plaintext connections, and a wait of 0, are not checked.

    Returns:
        True when the brokers answered (or nothing was checked), False when none answered.

    Raises:
        KafkaAccessError: the SASL login was rejected or the TLS handshake failed.
    """
    if kafka.security_protocol == "PLAINTEXT" or kafka.access_check_seconds == 0:
        return True
    errors: list[KafkaError] = []
    config: dict[str, Any] = {**connection_config(kafka), "error_cb": errors.append}
    admin = AdminClient({**config, "log_level": 0})
    deadline, announced = time.monotonic() + kafka.access_check_seconds, False
    while (left := deadline - time.monotonic()) > 0:
        try:
            admin.list_topics(timeout=min(1.0, left))
            return True
        except KafkaException as exc:
            errors.extend(e for e in exc.args if isinstance(e, KafkaError))
        admin.poll(0)
        for error in errors:
            problem = describe_refusal(kafka, error)
            if problem is not None:
                raise KafkaAccessError(problem)
        if not announced:
            waiting()
            announced = True
    return False


def not_answering(kafka: KafkaSettings) -> str:
    """What to say while the brokers have not answered the check yet."""
    return (
        f"the brokers at KAFKA_BOOTSTRAP_SERVERS={kafka.bootstrap_servers} have not answered "
        f"yet; waiting up to {kafka.access_check_seconds:g} s (KAFKA_ACCESS_CHECK_SECONDS)"
    )


def unreachable(kafka: KafkaSettings) -> str:
    """What to say when no broker answered the check in time."""
    return (
        f"no broker at KAFKA_BOOTSTRAP_SERVERS={kafka.bootstrap_servers} answered within "
        f"{kafka.access_check_seconds:g} s (KAFKA_ACCESS_CHECK_SECONDS); going on, the clients "
        "keep trying: check the address and that the brokers are up"
    )


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
