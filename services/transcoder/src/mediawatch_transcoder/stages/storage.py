"""STORAGE_UPLOAD: store the result and its segments/metadata JSON through the backend."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from mediawatch_common.events import ErrorCode
from mediawatch_common.storage import StorageError
from mediawatch_transcoder.errors import StageError
from mediawatch_transcoder.probe import describe
from mediawatch_transcoder.stages.context import SessionState, StageContext, StageReport
from mediawatch_transcoder.stages.measure import size_of
from mediawatch_transcoder.workspace import safe_name


def metadata(ctx: StageContext, state: SessionState) -> dict[str, Any]:
    """The JSON stored beside the video: clips, their segments, format and duration."""
    clips = [
        {"filename": clip.filename, "segment": asdict(seg), "source": info}
        for clip, seg, info in zip(
            ctx.job.inputs, state.segments, describe(state.infos), strict=True
        )
    ]
    return {
        "session_id": ctx.job.session_id,
        "user_id": ctx.job.user_id,
        "attempt": ctx.attempt,
        "duration": state.final_duration,
        "format": asdict(state.target) if state.target else None,
        "clips": clips,
    }


def run(ctx: StageContext, state: SessionState) -> StageReport:
    """Store ``merged.mp4`` then ``metadata.json`` (the JSON last: it marks completeness)."""
    assert state.final is not None, "COMPRESSION runs first"
    prefix = f"sessions/{safe_name(ctx.job.session_id)}"
    document = json.dumps(metadata(ctx, state), indent=2).encode()
    try:
        state.stored["video"] = ctx.storage.put_file(
            state.final, f"{prefix}/merged.mp4", "video/mp4"
        )
        state.stored["metadata"] = ctx.storage.put_bytes(
            document, f"{prefix}/metadata.json", "application/json"
        )
    except (StorageError, OSError) as exc:
        raise StageError(ErrorCode.STORAGE_UPLOAD_FAILED, str(exc)) from None
    size = size_of([state.final]) + len(document)
    return StageReport(input_size_bytes=size, output_size_bytes=size, video_count=1)
