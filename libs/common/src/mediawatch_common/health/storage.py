"""The storage check: write, read back and delete one object on the configured backend."""

from __future__ import annotations

import uuid

from mediawatch_common.health.results import CheckResult
from mediawatch_common.storage import Storage, StorageError, StorageSettings

PROBE_PREFIX = "health/"


def describe(settings: StorageSettings) -> dict[str, object]:
    """Where the backend is, without credentials."""
    if settings.storage_backend == "s3":
        return {
            "backend": "s3",
            "bucket": settings.s3_bucket,
            "endpoint": settings.s3_endpoint_url or "aws",
            "prefix": settings.s3_prefix,
        }
    return {"backend": "local", "path": str(settings.storage_dir)}


def check_storage(storage: Storage, where: dict[str, object]) -> CheckResult:
    """A probe object under ``health/`` can be written, read back identical, and deleted."""
    key = f"{PROBE_PREFIX}{uuid.uuid4().hex}.probe"
    payload = uuid.uuid4().bytes
    try:
        storage.put_bytes(payload, key, "application/octet-stream")
        try:
            if storage.get_bytes(key) != payload:
                raise StorageError(f"read back different bytes for {key}")
        finally:
            storage.delete(key)
    except StorageError as exc:
        return CheckResult(
            "storage", "critical", f"Storage unreachable: {exc}", {**where, "writable": False}
        )
    return CheckResult("storage", "healthy", "Storage read/write OK", {**where, "writable": True})
