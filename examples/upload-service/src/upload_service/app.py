"""``POST /uploads``: clips in, a merged video out; processing happens after the answer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from litestar import Litestar, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import Body, FromPath
from litestar.response import Response

from upload_service.pipeline import MergeFailedError, Pipeline

MAX_CLIPS = 10


@dataclass
class UploadForm:
    """The multipart form: who uploads, and the clips in order."""

    user_id: str
    files: list[UploadFile] = field(default_factory=list)


@dataclass
class Outcomes:
    """What became of each session this process handled."""

    by_session: dict[str, dict[str, Any]] = field(default_factory=dict)


def create_app(pipeline: Pipeline) -> Litestar:
    """The web app, around ``pipeline`` (built and configured by the caller)."""
    outcomes = Outcomes()

    async def process(session_id: str, user_id: str, clips: list[Path]) -> None:
        try:
            stored = await pipeline.process(session_id, user_id, clips)
        except MergeFailedError as exc:
            outcomes.by_session[session_id] = {
                "status": "failed",
                "stage": exc.stage.value,
                "error_code": exc.error_code,
                "error_message": str(exc),
            }
            return
        outcomes.by_session[session_id] = {"status": "completed", "video": stored.name}

    @post("/uploads", status_code=202)
    async def upload(
        data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Response[dict[str, str]]:
        if not data.files or len(data.files) > MAX_CLIPS:
            raise ValidationException(f"send 1 to {MAX_CLIPS} files")
        session_id = f"video_session_{uuid.uuid4().hex[:12]}"
        inbox = pipeline.work_dir / session_id / "uploads"
        inbox.mkdir(parents=True, exist_ok=True)
        clips = []
        for n, upload_file in enumerate(data.files):
            clip = inbox / f"{n:02d}{Path(upload_file.filename or 'clip').suffix[:8]}"
            clip.write_bytes(await upload_file.read())
            clips.append(clip)
        outcomes.by_session[session_id] = {"status": "processing"}
        return Response(
            {"session_id": session_id},
            background=BackgroundTask(process, session_id, data.user_id, clips),
        )

    @get("/uploads/{session_id:str}")
    async def status(session_id: FromPath[str]) -> dict[str, Any]:
        if session_id not in outcomes.by_session:
            raise NotFoundException(f"no session {session_id}")
        return {"session_id": session_id, **outcomes.by_session[session_id]}

    return Litestar([upload, status], request_max_body_size=MAX_CLIPS * 200 * 1024 * 1024)
