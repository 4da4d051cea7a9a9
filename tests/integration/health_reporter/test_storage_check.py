"""The storage check writes, reads and deletes a probe on a real S3 API (moto's server)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from mediawatch_common.health import check_storage, describe
from mediawatch_common.settings import load_group
from mediawatch_common.storage import S3Storage, StorageSettings, storage_from_settings
from tests.integration.transcoder.conftest import moto_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def s3_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with moto_server(tmp_path_factory.mktemp("moto-health") / "server.log") as url:
        yield url


def _settings(url: str, bucket: str) -> StorageSettings:
    return load_group(
        StorageSettings,
        {
            "TRANSCODER_STORAGE_BACKEND": "s3",
            "TRANSCODER_S3_ENDPOINT_URL": url,
            "TRANSCODER_S3_BUCKET": bucket,
            "TRANSCODER_S3_PREFIX": "runs/",
            "TRANSCODER_S3_ACCESS_KEY_ID": "testing",
            "TRANSCODER_S3_SECRET_ACCESS_KEY": "testing-secret",
            "TRANSCODER_S3_MAX_ATTEMPTS": "1",
        },
    )


def test_the_storage_check_round_trips_a_probe_on_s3_and_leaves_nothing(s3_url: str) -> None:
    bucket = f"health-{uuid.uuid4().hex[:8]}"
    settings = _settings(s3_url, bucket)
    storage = storage_from_settings(settings)
    assert isinstance(storage, S3Storage)
    storage.client.create_bucket(Bucket=bucket)

    result = check_storage(storage, describe(settings))

    assert result.status == "healthy", result.message
    assert result.details == {
        "backend": "s3",
        "bucket": bucket,
        "endpoint": s3_url,
        "prefix": "runs/",
        "writable": True,
    }
    assert storage.client.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_a_missing_bucket_is_critical_and_names_it(s3_url: str) -> None:
    settings = _settings(s3_url, "no-such-bucket-here")

    result = check_storage(storage_from_settings(settings), describe(settings))

    assert result.status == "critical"
    assert "no-such-bucket-here" in result.message
    assert "testing-secret" not in str(result)


def test_an_unwritable_local_directory_is_critical(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    settings = load_group(StorageSettings, {"TRANSCODER_STORAGE_DIR": str(blocker / "store")})

    result = check_storage(storage_from_settings(settings), describe(settings))

    assert (result.status, result.details["writable"]) == ("critical", False)
