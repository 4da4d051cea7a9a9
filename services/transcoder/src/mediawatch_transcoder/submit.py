"""Build a job from local files: the files are referenced by absolute ``file://`` URI."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

from mediawatch_common.events import ClipInput, Producer, TranscodeRequested


def new_session_id() -> str:
    """A fresh session id of the form ``video_session_<hex>``."""
    return f"video_session_{uuid.uuid4().hex[:12]}"


def transcode_request(
    files: Sequence[Path],
    user_id: str,
    producer: Producer,
    session_id: str | None = None,
    options: Mapping[str, str] | None = None,
) -> TranscodeRequested:
    """The job for ``files`` in merge order. Files need not be valid: workers judge that."""
    inputs = tuple(
        ClipInput(
            uri=path.resolve().as_uri(),
            filename=path.name,
            size_bytes=path.stat().st_size if path.exists() else 0,
        )
        for path in files
    )
    return TranscodeRequested(
        producer=producer,
        session_id=session_id or new_session_id(),
        user_id=user_id,
        inputs=inputs,
        options=dict(options or {}),
    )
