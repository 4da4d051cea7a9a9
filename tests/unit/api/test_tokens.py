"""Verified tokens are remembered, but never past their expiry nor for another string."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from litestar.exceptions import NotAuthorizedException

from mediawatch_api.web.auth import RememberedToken

pytestmark = pytest.mark.unit

SECRET = "unit-secret-" + "s" * 32


def _encoded(exp: datetime, sub: str = "ana") -> str:
    issued = min(exp, datetime.now(UTC)) - timedelta(minutes=1)
    claims = {"exp": int(exp.timestamp()), "iat": int(issued.timestamp()), "sub": sub}
    return jwt.encode({**claims, "role": "viewer"}, SECRET, algorithm="HS256")


def _decode(encoded: str, secret: str = SECRET) -> RememberedToken:
    return RememberedToken.decode(encoded, secret, "HS256")


def test_a_valid_token_is_decoded_once_then_remembered() -> None:
    encoded = _encoded(datetime.now(UTC) + timedelta(minutes=5))
    first = _decode(encoded)
    assert first.sub == "ana"
    assert _decode(encoded) is first


def test_a_remembered_token_is_refused_once_expired() -> None:
    expired = datetime.now(UTC) - timedelta(seconds=1)
    encoded = _encoded(expired)
    with pytest.raises(NotAuthorizedException):
        _decode(encoded)
    # Even if an entry for it were there, it is past its expiry: decoded anew, and refused.
    stale = RememberedToken(exp=datetime.now(UTC) + timedelta(minutes=5), sub="ana")
    stale.exp = expired  # the constructor refuses a past expiry
    key = (encoded, SECRET, "HS256", None, None, None, True, True, False)
    RememberedToken.remembered[key] = stale
    with pytest.raises(NotAuthorizedException):
        _decode(encoded)


def test_another_secret_or_a_tampered_token_is_not_a_hit() -> None:
    encoded = _encoded(datetime.now(UTC) + timedelta(minutes=5), sub="bob")
    _decode(encoded)
    with pytest.raises(NotAuthorizedException):
        _decode(encoded, "another-secret-" + "x" * 32)
    head, payload, signature = encoded.split(".")
    with pytest.raises(NotAuthorizedException):
        _decode(f"{head}.{payload}.{signature[:-2]}AA")
