"""Where pipeline results are stored (``TRANSCODER_STORAGE_BACKEND``, ``TRANSCODER_S3_*``).

The transcoder's settings extend this class, and the health reporter reads it to check the
very backend the transcoder writes to.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveFloat, PositiveInt, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "TRANSCODER_"


class StorageSettings(BaseSettings):
    """The storage backend of pipeline results: a local directory or an S3-compatible bucket."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, frozen=True, extra="ignore", case_sensitive=False
    )

    storage_backend: Literal["local", "s3"] = Field(
        "local", description="Where results go: a local directory or S3-compatible storage."
    )
    storage_dir: Path = Field(
        Path("temp/transcoder/store"), description="Root of the local storage backend."
    )
    s3_endpoint_url: str | None = Field(
        None, description="S3 API endpoint (MinIO, moto...); unset means AWS itself."
    )
    s3_region: str = Field("us-east-1", description="Region of the bucket.")
    s3_prefix: str = Field("", description="Key prefix of every stored object, e.g. mediawatch/.")
    s3_access_key_id: SecretStr | None = Field(
        None, description="Access key id; unset uses boto3's default credential chain."
    )
    s3_secret_access_key: SecretStr | None = Field(
        None, description="Secret access key, set together with the access key id."
    )
    s3_connect_timeout_seconds: PositiveFloat = Field(
        5.0, description="Connect and read timeout of one S3 request."
    )
    s3_max_attempts: PositiveInt = Field(
        3, description="Attempts per S3 request (the first one included) before giving up."
    )
    s3_bucket: str | None = Field(
        None, validate_default=True, description="Bucket of the S3 backend (required for s3)."
    )

    @field_validator("s3_bucket")
    @classmethod
    def _s3_complete(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Checked on the bucket, validated last, so that an error never echoes a secret.
        if info.data.get("storage_backend") == "s3" and not value:
            raise ValueError(f"{PREFIX}S3_BUCKET is required when {PREFIX}STORAGE_BACKEND=s3")
        if (info.data.get("s3_access_key_id") is None) != (
            info.data.get("s3_secret_access_key") is None
        ):
            raise ValueError(
                f"{PREFIX}S3_ACCESS_KEY_ID and {PREFIX}S3_SECRET_ACCESS_KEY are set together"
            )
        return value
