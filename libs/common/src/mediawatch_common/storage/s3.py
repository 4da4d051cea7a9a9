"""S3-compatible storage (AWS S3, MinIO, moto): objects at ``s3://<bucket>/<prefix><key>``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import boto3
from boto3.exceptions import Boto3Error
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from mediawatch_common.storage.base import StorageError
from mediawatch_common.storage.s3_errors import explain
from mediawatch_common.storage.settings import StorageSettings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

FAILURES = (BotoCoreError, ClientError, Boto3Error)


def split_s3_uri(uri: str) -> tuple[str, str]:
    """The bucket and key of ``s3://bucket/key``.

    Raises:
        ValueError: when ``uri`` is not an ``s3://`` URI with both a bucket and a key.
    """
    parsed = urlparse(uri)
    bucket, key = parsed.netloc, parsed.path.lstrip("/")
    if parsed.scheme != "s3" or not bucket or not key or key.endswith("/"):
        raise ValueError(f"{uri!r} is not an s3://bucket/key URI of one object")
    return bucket, key


class S3Storage:
    """Stores through an injected S3 client; every failure becomes a :class:`StorageError`."""

    def __init__(self, client: S3Client, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint = str(client.meta.endpoint_url)

    def key(self, key: str) -> str:
        """The object key of ``key`` under the configured prefix."""
        return f"{self.prefix}/{key}" if self.prefix else key

    def put_file(self, source: Path, key: str, content_type: str) -> str:
        """Upload ``source`` (multipart when large); return its ``s3://`` URI."""
        full = self.key(key)
        try:
            self.client.upload_file(
                str(source), self.bucket, full, ExtraArgs={"ContentType": content_type}
            )
        except FAILURES as exc:
            raise StorageError(explain(exc, f"store {full}", self.bucket, self.endpoint)) from None
        return f"s3://{self.bucket}/{full}"

    def put_bytes(self, data: bytes, key: str, content_type: str) -> str:
        """Store ``data`` in one PUT; return its ``s3://`` URI."""
        full = self.key(key)
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=full, Body=data, ContentType=content_type
            )
        except FAILURES as exc:
            raise StorageError(explain(exc, f"store {full}", self.bucket, self.endpoint)) from None
        return f"s3://{self.bucket}/{full}"

    def get_bytes(self, key: str) -> bytes:
        """The content of the object ``key`` (under the prefix)."""
        full = self.key(key)
        try:
            return self.client.get_object(Bucket=self.bucket, Key=full)["Body"].read()
        except FAILURES as exc:
            raise StorageError(explain(exc, f"read {full}", self.bucket, self.endpoint)) from None

    def delete(self, key: str) -> None:
        """Delete the object ``key`` (under the prefix); S3 ignores a missing key."""
        full = self.key(key)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=full)
        except FAILURES as exc:
            raise StorageError(explain(exc, f"delete {full}", self.bucket, self.endpoint)) from None

    def size(self, uri: str) -> int:
        """The size of the object at ``s3://bucket/key`` (a HEAD request).

        Raises:
            StorageError: naming the object, when it is missing or cannot be read.
        """
        bucket, key = split_s3_uri(uri)
        try:
            return int(self.client.head_object(Bucket=bucket, Key=key)["ContentLength"])
        except FAILURES as exc:
            raise StorageError(explain(exc, f"read {key}", bucket, self.endpoint)) from None

    def fetch(self, uri: str, target: Path) -> bool:
        """Download an ``s3://bucket/key`` input to ``target``; other URIs are not ours."""
        if urlparse(uri).scheme != "s3":
            return False
        bucket, key = split_s3_uri(uri)
        try:
            self.client.download_file(bucket, key, str(target))
        except FAILURES as exc:
            raise StorageError(explain(exc, f"read {key}", bucket, self.endpoint)) from None
        return True


def s3_client(settings: StorageSettings) -> S3Client:
    """A client for the configured endpoint, region and credentials, with short timeouts.

    Without an access key, boto3's default chain (its variables, profile, instance role)
    applies. A custom endpoint gets path-style addressing, which MinIO and moto expect.
    """
    key_id, secret = settings.s3_access_key_id, settings.s3_secret_access_key
    session = boto3.session.Session(
        aws_access_key_id=key_id.get_secret_value() if key_id else None,
        aws_secret_access_key=secret.get_secret_value() if secret else None,
        region_name=settings.s3_region,
    )
    config = Config(
        connect_timeout=settings.s3_connect_timeout_seconds,
        read_timeout=settings.s3_connect_timeout_seconds,
        retries={"max_attempts": settings.s3_max_attempts, "mode": "standard"},
        s3={"addressing_style": "path" if settings.s3_endpoint_url else "auto"},
    )
    return session.client("s3", endpoint_url=settings.s3_endpoint_url, config=config)


def s3_storage(settings: StorageSettings) -> S3Storage:
    """The S3 backend described by ``settings`` (``TRANSCODER_S3_*``)."""
    assert settings.s3_bucket, "validated by the settings"
    return S3Storage(s3_client(settings), settings.s3_bucket, settings.s3_prefix)
