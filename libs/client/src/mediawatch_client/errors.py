"""Which error code an exception raised inside a stage is recorded with."""

from __future__ import annotations

import subprocess

from mediawatch_client.vocabulary import ErrorCode, as_error_code

# Exception classes recognised by module and name, so the client imports none of them.
_BY_NAME = {
    ("ffmpeg._run", "Error"): ErrorCode.FFMPEG_FAILED,
    ("boto3.exceptions", "S3UploadFailedError"): ErrorCode.STORAGE_UPLOAD_FAILED,
    ("botocore.exceptions", "ClientError"): ErrorCode.STORAGE_UPLOAD_FAILED,
    ("botocore.exceptions", "EndpointConnectionError"): ErrorCode.STORAGE_UPLOAD_FAILED,
}


def error_code_for(exc: BaseException) -> ErrorCode:
    """The code a failure caused by ``exc`` is reported with.

    In this order: an ``error_code`` attribute on the exception (an :class:`ErrorCode` or its
    name); timeouts (``TimeoutError``, ``subprocess.TimeoutExpired``) are ``TIMEOUT_ERROR``;
    a failed ``ffmpeg``/``ffprobe`` subprocess or ffmpeg-python's ``ffmpeg.Error`` is
    ``FFMPEG_FAILED``/``FFPROBE_FAILED``; boto3/botocore upload and client errors are
    ``STORAGE_UPLOAD_FAILED``; anything else is ``INTERNAL_ERROR``.
    """
    declared = getattr(exc, "error_code", None)
    if declared is not None:
        try:
            return as_error_code(declared)
        except ValueError:
            pass
    if isinstance(exc, TimeoutError | subprocess.TimeoutExpired):
        return ErrorCode.TIMEOUT_ERROR
    if isinstance(exc, subprocess.CalledProcessError):
        program = _program(exc.cmd)
        if program.startswith("ffprobe"):
            return ErrorCode.FFPROBE_FAILED
        if program.startswith("ffmpeg"):
            return ErrorCode.FFMPEG_FAILED
    for cls in type(exc).__mro__:
        code = _BY_NAME.get((cls.__module__, cls.__name__))
        if code is not None:
            return code
    return ErrorCode.INTERNAL_ERROR


def _program(cmd: object) -> str:
    first = cmd[0] if isinstance(cmd, list | tuple) and cmd else cmd
    return str(first).rsplit("/", 1)[-1] if first is not None else ""
