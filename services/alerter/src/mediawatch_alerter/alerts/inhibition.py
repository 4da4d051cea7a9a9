"""Inhibition: a firing cause (ffmpeg or storage down) mutes the symptoms it causes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InhibitRule:
    """While an alert of a ``source`` rule fires, alerts of ``target`` rules that share the
    values of every label in ``equal`` are suppressed."""

    sources: frozenset[str]
    targets: frozenset[str]
    equal: tuple[str, ...] = ("host",)


DEFAULT_INHIBITIONS = (
    InhibitRule(
        sources=frozenset({"ffmpeg_unavailable", "storage_unreachable"}),
        targets=frozenset({"processing_failed", "slow_stage"}),
    ),
)
"""ffmpeg or storage down on a host mutes that host's stage failures and slow stages."""


@dataclass(frozen=True, slots=True)
class Firing:
    """The part of a firing alert inhibition looks at."""

    fingerprint: str
    rule: str
    labels: Mapping[str, str]


def inhibited_by(
    rule: str,
    labels: Mapping[str, str],
    firing: Iterable[Firing],
    inhibitions: Iterable[InhibitRule],
) -> str | None:
    """Fingerprint of a firing alert that inhibits an alert of ``rule`` with ``labels``."""
    applicable = [i for i in inhibitions if rule in i.targets]
    if not applicable:
        return None
    for source in firing:
        for inhibition in applicable:
            if source.rule in inhibition.sources and all(
                key in labels and labels.get(key) == source.labels.get(key)
                for key in inhibition.equal
            ):
                return source.fingerprint
    return None
