"""Settings of the transcoder (``TRANSCODER_*``), read once at the entry point."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from pydantic import (
    Field,
    PositiveFloat,
    PositiveInt,
    field_validator,
)
from pydantic_settings import SettingsConfigDict

from mediawatch_common.events import Stage
from mediawatch_common.settings import load_group
from mediawatch_common.storage.settings import PREFIX, StorageSettings

MAX_CONCURRENCY = 32


class TranscoderSettings(StorageSettings):
    """Where the worker works, its limits, timeouts, quality; its storage backend is inherited."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, frozen=True, extra="ignore", case_sensitive=False
    )

    work_dir: Path = Field(
        Path("temp/transcoder/work"), description="Root of the per-session temp workspaces."
    )
    group_id: str = Field("mediawatch-transcoder", description="Consumer group of the workers.")
    concurrency: int = Field(
        1,
        ge=1,
        le=MAX_CONCURRENCY,
        description="Jobs one worker runs at once, each with its own workspace and ffmpeg.",
    )
    spool_dir: Path = Field(
        Path("temp/transcoder/spool"),
        description="Where stage events wait while Kafka is unreachable (sent on its return).",
    )
    flush_timeout_seconds: PositiveFloat = Field(
        30.0, description="Longest wait for Kafka's acknowledgement of a session's events."
    )
    close_timeout_seconds: PositiveFloat = Field(
        10.0, description="On stop, how long unsent events may take to be sent or spooled."
    )
    max_clip_bytes: PositiveInt = Field(500 * 1024**2, description="Largest accepted clip.")
    max_session_bytes: PositiveInt = Field(2 * 1024**3, description="Largest accepted session.")
    max_clips: PositiveInt = Field(10, description="Most clips one session may have.")
    stage_timeout_seconds: PositiveFloat = Field(300.0, description="Default timeout per stage.")
    stage_timeouts: dict[Stage, PositiveFloat] = Field(
        default_factory=dict,
        description='Per-stage overrides as JSON, e.g. {"COMPRESSION": 900}.',
    )
    stop_grace_seconds: float = Field(
        5.0, ge=0, description="On SIGTERM, how long the running ffmpeg may finish before a kill."
    )
    sample_interval_seconds: PositiveFloat = Field(
        5.0, description="Seconds between two ResourceSample events."
    )
    process_sample_interval_seconds: PositiveFloat = Field(
        0.2, description="Seconds between two psutil samples of a running ffmpeg."
    )
    target_long_side: PositiveInt = Field(1280, description="Longest side of the output, pixels.")
    max_fps: PositiveInt = Field(30, description="Highest output frame rate.")
    audio_rate: PositiveInt = Field(48_000, description="Output audio sample rate, Hz.")
    prep_crf: int = Field(18, ge=0, le=51, description="CRF of the normalised intermediates.")
    prep_preset: str = Field("veryfast", description="x264 preset of the intermediates.")
    crf: int = Field(23, ge=0, le=51, description="CRF of the final encode.")
    preset: str = Field("veryfast", description="x264 preset of the final encode.")
    max_bitrate: str | None = Field(None, description="Cap of the final video bitrate, e.g. 4M.")
    audio_bitrate: str = Field("128k", description="Bitrate of the final AAC audio.")

    @field_validator("stage_timeouts", mode="before")
    @classmethod
    def _json(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value

    def timeout(self, stage: Stage) -> float:
        """Seconds ``stage`` may take."""
        return self.stage_timeouts.get(stage, self.stage_timeout_seconds)

    def longest_session_seconds(self) -> float:
        """Upper bound of one session's wall time (every stage at its timeout)."""
        return sum(self.timeout(stage) for stage in Stage)


def load_transcoder_settings(env: Mapping[str, str] | None = None) -> TranscoderSettings:
    """Build the settings from ``env`` (default: the process environment).

    Raises:
        SettingsError: naming each invalid ``TRANSCODER_*`` variable.
    """
    return load_group(TranscoderSettings, env)
