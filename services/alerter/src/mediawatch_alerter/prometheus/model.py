"""Prometheus rule files as values: what a rule file holds, ready to be written as YAML."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class PromRule:
    """One alerting rule (``alert``) or recording rule (``record``); ``comment`` goes above it."""

    expr: str
    alert: str | None = None
    record: str | None = None
    for_: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    comment: str = ""

    def __post_init__(self) -> None:
        if (self.alert is None) == (self.record is None):
            raise ValueError("a rule is either an alert or a record")

    def document(self) -> dict[str, Any]:
        """The mapping Prometheus reads for this rule."""
        doc: dict[str, Any] = {"alert": self.alert} if self.alert else {"record": self.record}
        doc["expr"] = self.expr
        if self.for_:
            doc["for"] = self.for_
        if self.labels:
            doc["labels"] = dict(self.labels)
        if self.annotations:
            doc["annotations"] = dict(self.annotations)
        return doc


@dataclass(frozen=True, slots=True)
class RuleGroup:
    """A named group of rules, evaluated together."""

    name: str
    rules: tuple[PromRule, ...]


@dataclass(frozen=True, slots=True)
class RuleFile:
    """A rule file: its path under the output directory, a header comment and its groups."""

    path: str
    header: str
    groups: tuple[RuleGroup, ...]

    def document(self) -> dict[str, Any]:
        """The mapping Prometheus reads from this file."""
        return {
            "groups": [
                {"name": g.name, "rules": [r.document() for r in g.rules]} for g in self.groups
            ]
        }
