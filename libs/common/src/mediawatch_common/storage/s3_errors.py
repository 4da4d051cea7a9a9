"""Plain-language reasons for what botocore raises, so a failed upload says what to fix."""

from __future__ import annotations

from boto3.exceptions import S3UploadFailedError
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)

MISSING_BUCKET = frozenset({"NoSuchBucket", "404", "NotFound"})
REFUSED = frozenset(
    {
        "AccessDenied",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "InvalidToken",
        "403",
        "Forbidden",
    }
)
UNREACHABLE = (
    EndpointConnectionError,
    ConnectTimeoutError,
    ReadTimeoutError,
    ConnectionClosedError,
)


def root_cause(exc: BaseException) -> BaseException:
    """The ClientError that boto3's S3UploadFailedError hides, else ``exc`` itself."""
    if isinstance(exc, S3UploadFailedError):
        inner = exc.__cause__ or exc.__context__
        if isinstance(inner, ClientError | BotoCoreError):
            return inner
    return exc


def explain(exc: BaseException, action: str, bucket: str, endpoint: str) -> str:
    """Why ``action`` (e.g. ``store sessions/x/merged.mp4``) failed, in one line.

    Credentials never appear: botocore's messages carry none and none are added here.
    """
    cause = root_cause(exc)
    where = f"bucket {bucket!r} at {endpoint}"
    if isinstance(cause, ClientError):
        error = cause.response.get("Error", {})
        code = str(error.get("Code", "?"))
        if code in MISSING_BUCKET:
            return f"cannot {action}: {where} does not exist ({code})"
        if code in REFUSED:
            return f"cannot {action}: credentials refused by {where} ({code})"
        return f"cannot {action} in {where}: {code}: {error.get('Message', '')}".rstrip(": ")
    if isinstance(cause, UNREACHABLE):
        return f"cannot {action}: S3 endpoint {endpoint} unreachable ({cause})"
    if isinstance(cause, NoCredentialsError | PartialCredentialsError):
        return f"cannot {action}: no usable S3 credentials for {where} ({cause})"
    return f"cannot {action} in {where}: {type(cause).__name__}: {cause}"
