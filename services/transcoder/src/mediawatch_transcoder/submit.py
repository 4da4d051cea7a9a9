"""Build a job from clips: local files by absolute ``file://`` URI, objects by ``s3://`` URI.

A job whose clips are all ``s3://bucket/key`` objects needs no file system shared with the
workers: each worker downloads them into its own workspace (with the S3 storage backend).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath

from mediawatch_common.events import ClipInput, Producer, TranscodeRequested
from mediawatch_common.storage import split_s3_uri

SizeOf = Callable[[str], int]
"""The size of an ``s3://`` object (raises when it cannot be read)."""


def new_session_id() -> str:
    """A fresh session id of the form ``video_session_<hex>``."""
    return f"video_session_{uuid.uuid4().hex[:12]}"


def is_s3(source: str | Path) -> bool:
    """True for an ``s3://`` URI (a ``Path`` is always local)."""
    return isinstance(source, str) and source.startswith("s3://")


def clip_input(source: str | Path, size_of: SizeOf | None = None) -> ClipInput:
    """The job's reference to one clip; ``size_of`` sizes ``s3://`` objects (else 0).

    Raises:
        ValueError: for an ``s3://`` URI without a bucket or a key.
    """
    if is_s3(source):
        uri = str(source)
        _, key = split_s3_uri(uri)
        size = size_of(uri) if size_of is not None else 0
        return ClipInput(uri=uri, filename=PurePosixPath(key).name, size_bytes=size)
    path = Path(source)
    return ClipInput(
        uri=path.resolve().as_uri(),
        filename=path.name,
        size_bytes=path.stat().st_size if path.exists() else 0,
    )


def transcode_request(
    files: Sequence[str | Path],
    user_id: str,
    producer: Producer,
    session_id: str | None = None,
    options: Mapping[str, str] | None = None,
    size_of: SizeOf | None = None,
) -> TranscodeRequested:
    """The job for ``files`` in merge order. Files need not be valid: workers judge that."""
    return TranscodeRequested(
        producer=producer,
        session_id=session_id or new_session_id(),
        user_id=user_id,
        inputs=tuple(clip_input(source, size_of) for source in files),
        options=dict(options or {}),
    )
