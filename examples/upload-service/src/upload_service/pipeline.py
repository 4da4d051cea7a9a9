"""The seven stages of one upload, each reported by ``start_processing`` and its completion."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mediawatch_client import MediaMonitor, ProcessingStage, error_code_for
from upload_service import ffmpeg

MAX_CLIP_BYTES = 200 * 1024 * 1024


class MergeFailedError(Exception):
    """A stage failed; ``stage`` and ``error_code`` say where and why."""

    def __init__(self, stage: ProcessingStage, error_code: str, message: str) -> None:
        super().__init__(message)
        self.stage = stage
        self.error_code = error_code


class ValidationError(Exception):
    """An uploaded file is not a video we can merge."""

    error_code = "VALIDATION_FAILED"


@dataclass(frozen=True, slots=True)
class Pipeline:
    """Merges a session's clips into one compressed video in ``storage_dir``."""

    monitor: MediaMonitor
    work_dir: Path
    storage_dir: Path

    async def process(self, session_id: str, user_id: str, clips: list[Path]) -> Path:
        """Run every stage; the stored video, or :class:`MergeFailedError`."""
        work = self.work_dir / session_id
        work.mkdir(parents=True, exist_ok=True)
        size = sum(c.stat().st_size for c in clips)
        meta = {"video_count": len(clips), "total_size_mb": round(size / 2**20, 3)}
        try:
            await self._stage(
                session_id, user_id, ProcessingStage.UPLOAD, meta, lambda: self._validate(clips)
            )
            await self._stage(
                session_id, user_id, ProcessingStage.ANALYSIS, meta, lambda: self._analyse(clips)
            )
            parts = [work / f"part{n}.mp4" for n in range(len(clips))]
            await self._stage(
                session_id,
                user_id,
                ProcessingStage.PREPARATION,
                meta,
                lambda: self._normalise(clips, parts),
            )
            merged, final = work / "merged.mp4", work / "final.mp4"
            await self._stage(
                session_id,
                user_id,
                ProcessingStage.MERGING,
                meta,
                lambda: ffmpeg.concatenate(parts, work / "list.txt", merged),
            )
            await self._stage(
                session_id,
                user_id,
                ProcessingStage.COMPRESSION,
                meta,
                lambda: ffmpeg.compress(merged, final),
            )
            stored = self.storage_dir / f"{session_id}.mp4"
            await self._stage(
                session_id,
                user_id,
                ProcessingStage.STORAGE_UPLOAD,
                meta,
                lambda: self._store(final, stored),
            )
            return stored
        finally:
            await self._stage(
                session_id, user_id, ProcessingStage.CLEANUP, meta, lambda: self._clean(work, clips)
            )

    async def _stage(
        self,
        session_id: str,
        user_id: str,
        stage: ProcessingStage,
        metadata: dict[str, Any],
        work: Callable[[], Awaitable[object]],
    ) -> None:
        await self.monitor.start_processing(
            session_id=session_id, user_id=user_id, stage=stage, metadata=metadata
        )
        try:
            result = await work()
        except Exception as exc:
            code = error_code_for(exc).value
            await self.monitor.complete_processing(
                session_id=session_id,
                stage=stage,
                success=False,
                error_message=str(exc),
                error_code=code,
                video_count=metadata["video_count"],
            )
            raise MergeFailedError(stage, code, str(exc)) from exc
        await self.monitor.complete_processing(
            session_id=session_id,
            stage=stage,
            success=True,
            file_size_bytes=result.stat().st_size if isinstance(result, Path) else None,
            video_count=metadata["video_count"],
        )

    async def _validate(self, clips: list[Path]) -> None:
        for clip in clips:
            if not 0 < clip.stat().st_size <= MAX_CLIP_BYTES:
                raise ValidationError(f"{clip.name}: empty or larger than {MAX_CLIP_BYTES} bytes")
            try:
                info = await ffmpeg.probe(clip)
            except ffmpeg.FfmpegError as exc:
                raise ValidationError(f"{clip.name} is not a readable video") from exc
            if not any(s.get("codec_type") == "video" for s in info.get("streams", [])):
                raise ValidationError(f"{clip.name} has no video stream")

    async def _analyse(self, clips: list[Path]) -> float:
        total = 0.0
        for clip in clips:
            info = await ffmpeg.probe(clip)
            total += float(info.get("format", {}).get("duration", 0.0))
        return total

    async def _normalise(self, clips: list[Path], parts: list[Path]) -> None:
        for clip, part in zip(clips, parts, strict=True):
            await ffmpeg.normalise(clip, part)

    async def _store(self, final: Path, stored: Path) -> Path:
        stored.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(final, stored)
        return stored

    async def _clean(self, work: Path, clips: list[Path]) -> None:
        shutil.rmtree(work, ignore_errors=True)
        for clip in clips:
            clip.unlink(missing_ok=True)
