"""Silence matchers: ``label=value``, ``!=``, ``=~`` and ``!~`` over an alert's labels."""

from __future__ import annotations

import re
from collections.abc import Mapping

from mediawatch_common.events import SilenceMatcher

OPS = ("=", "!=", "=~", "!~")


class MatcherError(ValueError):
    """A matcher has an unknown operator or an invalid regular expression."""


def parse_matcher(text: str) -> SilenceMatcher:
    """Parses ``label=value``, ``label!=value``, ``label=~regex`` or ``label!~regex``."""
    match = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*", text)
    if not match:
        raise MatcherError(f"not a matcher: {text!r} (expected label=value, !=, =~ or !~)")
    matcher = SilenceMatcher(label=match.group(1), op=match.group(2), value=match.group(3))
    check_matcher(matcher)
    return matcher


def check_matcher(matcher: SilenceMatcher) -> None:
    """Raises :class:`MatcherError` for an unknown operator or a bad regular expression."""
    if matcher.op not in OPS:
        raise MatcherError(f"unknown matcher operator {matcher.op!r}")
    if matcher.op in ("=~", "!~"):
        try:
            re.compile(matcher.value)
        except re.error as exc:
            raise MatcherError(f"bad regular expression {matcher.value!r}: {exc}") from None


def matches(matcher: SilenceMatcher, labels: Mapping[str, str]) -> bool:
    """Whether one matcher holds for ``labels`` (a missing label reads as empty)."""
    value = labels.get(matcher.label, "")
    if matcher.op == "=":
        return value == matcher.value
    if matcher.op == "!=":
        return value != matcher.value
    found = re.fullmatch(matcher.value, value) is not None
    return found if matcher.op == "=~" else not found
