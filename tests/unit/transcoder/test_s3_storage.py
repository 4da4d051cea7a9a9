"""S3 backend without a server: settings, key layout, URIs, and the failure explanations."""

from __future__ import annotations

from pathlib import Path

import pytest
from boto3.exceptions import S3UploadFailedError
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from mediawatch_common.settings import SettingsError
from mediawatch_common.storage import (
    LocalStorage,
    S3Storage,
    s3_client,
    storage_from_settings,
)
from mediawatch_common.storage.s3_errors import explain
from mediawatch_transcoder.settings import load_transcoder_settings

pytestmark = pytest.mark.unit

SECRET = "wJalrXUtnFEMI-very-secret"
S3_ENV = {
    "TRANSCODER_STORAGE_BACKEND": "s3",
    "TRANSCODER_S3_BUCKET": "media",
    "TRANSCODER_S3_PREFIX": "/prod/",
    "TRANSCODER_S3_ENDPOINT_URL": "http://127.0.0.1:9",
    "TRANSCODER_S3_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "TRANSCODER_S3_SECRET_ACCESS_KEY": SECRET,
}


def client_error(code: str, message: str = "m", operation: str = "PutObject") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


def test_local_is_the_default_backend(tmp_path: Path) -> None:
    settings = load_transcoder_settings({"TRANSCODER_STORAGE_DIR": str(tmp_path)})
    assert isinstance(storage_from_settings(settings), LocalStorage)


def test_s3_backend_is_selected_with_prefix_and_path_style() -> None:
    settings = load_transcoder_settings(S3_ENV)

    storage = storage_from_settings(settings)

    assert isinstance(storage, S3Storage)
    assert storage.bucket == "media"
    assert storage.key("sessions/s/merged.mp4") == "prod/sessions/s/merged.mp4"
    assert storage.endpoint == "http://127.0.0.1:9"
    assert storage.client.meta.config.s3 == {"addressing_style": "path"}  # type: ignore[attr-defined]
    assert storage.client.meta.region_name == "us-east-1"


def test_secrets_are_hidden_in_the_settings() -> None:
    settings = load_transcoder_settings(S3_ENV)
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings.model_dump())
    assert settings.s3_secret_access_key is not None
    assert settings.s3_secret_access_key.get_secret_value() == SECRET


def test_s3_without_a_bucket_is_refused() -> None:
    env = {k: v for k, v in S3_ENV.items() if k != "TRANSCODER_S3_BUCKET"}
    with pytest.raises(SettingsError, match="TRANSCODER_S3_BUCKET is required"):
        load_transcoder_settings(env)


def test_a_secret_without_its_key_id_is_refused_without_echoing_it() -> None:
    env = {k: v for k, v in S3_ENV.items() if k != "TRANSCODER_S3_ACCESS_KEY_ID"}
    with pytest.raises(SettingsError, match="are set together") as caught:
        load_transcoder_settings(env)
    assert SECRET not in str(caught.value)


def test_other_uris_are_not_fetched_by_s3(tmp_path: Path) -> None:
    storage = S3Storage(s3_client(load_transcoder_settings(S3_ENV)), "media")
    assert storage.key("a/b") == "a/b"
    assert storage.fetch((tmp_path / "x.mp4").as_uri(), tmp_path / "y.mp4") is False
    assert not (tmp_path / "y.mp4").exists()


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("NoSuchBucket", "bucket 'b' at http://e does not exist (NoSuchBucket)"),
        ("InvalidAccessKeyId", "credentials refused by bucket 'b' at http://e"),
        ("SignatureDoesNotMatch", "credentials refused"),
        ("AccessDenied", "credentials refused"),
        ("SlowDown", "in bucket 'b' at http://e: SlowDown: m"),
    ],
)
def test_client_errors_are_explained(code: str, expected: str) -> None:
    message = explain(client_error(code), "store k", "b", "http://e")
    assert message.startswith("cannot store k")
    assert expected in message


def _upload_failure() -> None:
    # what boto3's upload_file does: re-raise a ClientError, chained implicitly
    try:
        raise client_error("NoSuchBucket")
    except ClientError as inner:
        raise S3UploadFailedError(f"Failed to upload: {inner}")  # noqa: B904


def test_the_client_error_behind_an_upload_failure_is_explained() -> None:
    with pytest.raises(S3UploadFailedError) as caught:
        _upload_failure()
    assert "does not exist" in explain(caught.value, "store k", "b", "http://e")


def test_connection_and_credential_errors_are_explained() -> None:
    down = EndpointConnectionError(endpoint_url="http://127.0.0.1:9/b/k")
    assert "S3 endpoint http://127.0.0.1:9 unreachable" in explain(
        down, "store k", "b", "http://127.0.0.1:9"
    )
    assert "no usable S3 credentials" in explain(NoCredentialsError(), "store k", "b", "x")
