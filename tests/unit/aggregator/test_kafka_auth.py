from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import faust
import pytest

from mediawatch_aggregator.runtime.kafka_auth import aiokafka_security, faust_credentials
from mediawatch_common.settings import load_settings

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ca")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(folder / "ca.key"), "-out", str(folder / "ca.pem"),
                    "-subj", "/CN=test CA"], check=True, capture_output=True)  # fmt: skip
    return folder / "ca.pem"


def test_plaintext_needs_no_credentials() -> None:
    kafka = load_settings({}).kafka
    assert faust_credentials(kafka) is None
    assert aiokafka_security(kafka) == {"security_protocol": "PLAINTEXT"}


def test_sasl_ssl_gives_faust_and_aiokafka_the_same_login(ca: Path) -> None:
    kafka = load_settings({
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "KAFKA_SASL_USERNAME": "mediawatch",
        "KAFKA_SASL_PASSWORD": "s3cret",
        "KAFKA_SSL_CA_LOCATION": str(ca),
    }).kafka  # fmt: skip
    credentials = faust_credentials(kafka)
    assert isinstance(credentials, faust.SASLCredentials)
    assert (credentials.protocol.value, credentials.mechanism.value) == (
        "SASL_SSL",
        "SCRAM-SHA-512",
    )
    assert (credentials.username, credentials.password) == ("mediawatch", "s3cret")
    found = aiokafka_security(kafka)
    context = found.pop("ssl_context")
    assert found == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "mediawatch",
        "sasl_plain_password": "s3cret",
    }
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
    assert "s3cret" not in repr(credentials)


def test_tls_alone_gives_ssl_credentials(ca: Path) -> None:
    kafka = load_settings(
        {"KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SSL_CA_LOCATION": str(ca)}
    ).kafka
    credentials = faust_credentials(kafka)
    assert isinstance(credentials, faust.SSLCredentials)
    assert credentials.protocol.value == "SSL"
