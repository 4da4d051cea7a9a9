from __future__ import annotations

from pathlib import Path

import pytest
from confluent_kafka import KafkaError

from mediawatch_client.config import ClientConfig
from mediawatch_common.kafka import (
    connection_config,
    consumer_config,
    java_client_properties,
    producer_config,
)
from mediawatch_common.kafka.access import describe_refusal
from mediawatch_common.settings import SettingsError, load_settings

pytestmark = pytest.mark.unit


def _secure(tmp_path: Path, **more: str) -> dict[str, str]:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    return {
        "KAFKA_BOOTSTRAP_SERVERS": "k1:9093,k2:9093",
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "KAFKA_SASL_USERNAME": "mediawatch",
        "KAFKA_SSL_CA_LOCATION": str(ca),
        **more,
    }


def test_plaintext_is_the_default_and_adds_nothing() -> None:
    kafka = load_settings({}).kafka
    assert connection_config(kafka) == {
        "bootstrap.servers": "127.0.0.1:9092",
        "security.protocol": "PLAINTEXT",
    }


def test_sasl_ssl_reaches_every_client_config(tmp_path: Path) -> None:
    kafka = load_settings(_secure(tmp_path, KAFKA_SASL_PASSWORD="hunter2")).kafka
    expected = {
        "bootstrap.servers": "k1:9093,k2:9093",
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "mediawatch",
        "sasl.password": "hunter2",
        "ssl.ca.location": str(tmp_path / "ca.pem"),
    }
    assert connection_config(kafka) == expected
    connection = connection_config(kafka)
    assert expected.items() <= producer_config(connection, "p").items()
    assert expected.items() <= consumer_config(connection, "g").items()
    assert "hunter2" not in repr(kafka)
    assert "hunter2" not in str(kafka)


def test_password_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("from-file\n")
    kafka = load_settings(_secure(tmp_path, KAFKA_SASL_PASSWORD_FILE=str(secret))).kafka
    assert connection_config(kafka)["sasl.password"] == "from-file"
    both = _secure(tmp_path, KAFKA_SASL_PASSWORD="x", KAFKA_SASL_PASSWORD_FILE=str(secret))
    with pytest.raises(SettingsError, match="not both"):
        load_settings(both)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"KAFKA_SASL_USERNAME": ""}, "KAFKA_SASL_USERNAME"),
        ({"KAFKA_SASL_MECHANISM": "GSSAPI"}, "KAFKA_SASL_MECHANISM='GSSAPI'"),
        ({"KAFKA_SECURITY_PROTOCOL": "TLS"}, "KAFKA_SECURITY_PROTOCOL='TLS'"),
        ({"KAFKA_SSL_CA_LOCATION": "/no/such/ca.pem"}, "KAFKA_SSL_CA_LOCATION='/no/such/ca.pem'"),
        ({"KAFKA_SASL_PASSWORD_FILE": "/no/such/file"}, "KAFKA_SASL_PASSWORD_FILE"),
    ],
)
def test_bad_security_settings_name_the_variable(
    tmp_path: Path, change: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings({**_secure(tmp_path, KAFKA_SASL_PASSWORD="pw"), **change})


def test_sasl_without_a_password_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="needs KAFKA_SASL_PASSWORD") as raised:
        load_settings(_secure(tmp_path))
    assert "hunter2" not in str(raised.value)


def test_java_tools_get_the_same_connection(tmp_path: Path) -> None:
    kafka = load_settings(_secure(tmp_path, KAFKA_SASL_PASSWORD='pa"ss')).kafka
    props = java_client_properties(kafka)
    assert props["security.protocol"] == "SASL_SSL"
    assert props["sasl.mechanism"] == "SCRAM-SHA-512"
    assert props["sasl.jaas.config"] == (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        'username="mediawatch" password="pa\\"ss";'
    )
    assert props["ssl.truststore.location"] == str(tmp_path / "ca.pem")


def test_refusals_name_the_setting_to_fix(tmp_path: Path) -> None:
    kafka = load_settings(_secure(tmp_path, KAFKA_SASL_PASSWORD="pw")).kafka
    login = KafkaError(KafkaError._AUTHENTICATION, "SASL authentication error: invalid")
    untrusted = KafkaError(KafkaError._SSL, "SSL handshake failed: certificate verify failed")
    assert "KAFKA_SASL_PASSWORD" in str(describe_refusal(kafka, login))
    assert "KAFKA_SSL_CA_LOCATION" in str(describe_refusal(kafka, untrusted))
    assert describe_refusal(kafka, KafkaError(KafkaError._TRANSPORT, "refused")) is None


def test_client_library_maps_the_same_variables(tmp_path: Path) -> None:
    env = _secure(tmp_path, KAFKA_SASL_PASSWORD="pw", KAFKA_SSL_KEY_PASSWORD="kp")
    config = ClientConfig.from_env(env)
    common = connection_config(load_settings(env).kafka)
    assert {k: v for k, v in common.items() if k != "bootstrap.servers"}.items() <= {
        **config.kafka,
    }.items()
    assert config.kafka["ssl.key.password"] == "kp"


def test_empty_variables_count_as_unset() -> None:
    kafka = load_settings({"KAFKA_SASL_PASSWORD_FILE": "", "KAFKA_SSL_CA_LOCATION": ""}).kafka
    assert (kafka.sasl_password, kafka.ssl_ca_location) == (None, None)
