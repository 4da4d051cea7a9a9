"""Rules from a YAML file, so an operator adds a threshold without code (docs/alerting.md)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mediawatch_alerter.alerts.inhibition import DEFAULT_INHIBITIONS, InhibitRule
from mediawatch_alerter.rules.base import Threshold
from mediawatch_alerter.rules.threshold import ThresholdRule, ThresholdSpec
from mediawatch_common.events import EVENT_TYPES, AlertLevel


class RulesFileError(ValueError):
    """The rules file cannot be read or does not follow the documented format."""


class _Level(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    above: float = Field(description="Fires when the value passes this (below: falls under it).")
    clear: float | None = Field(None, description="Clears only back past this (hysteresis).")


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    event: str
    field: str
    levels: dict[Literal["info", "warning", "error", "critical"], _Level] = Field(min_length=1)
    labels: list[str] = Field(default_factory=list)
    context: list[str] = Field(default_factory=list)
    where: dict[str, str | int | float | bool] = Field(default_factory=dict)
    below: bool = False
    for_seconds: float = Field(0.0, ge=0, alias="for")
    resolve_after: float | None = Field(None, gt=0)
    title: str
    message: str

    @model_validator(mode="after")
    def _known_fields(self) -> _Rule:
        cls = EVENT_TYPES.get(self.event)
        if cls is None:
            raise ValueError(
                f"unknown event {self.event!r}; one of {', '.join(sorted(EVENT_TYPES))}"
            )
        names = {f.name for f in dataclasses.fields(cls)}
        for path in [self.field, *self.labels, *self.context, *self.where]:
            if path.split(".", 1)[0] not in names:
                raise ValueError(f"{self.event} has no field {path!r}")
        return self


class _Inhibit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    sources: list[str] = Field(min_length=1)
    targets: list[str] = Field(min_length=1)
    equal: list[str] = Field(default_factory=lambda: ["host"])


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    disable: list[str] = Field(default_factory=list)
    rules: list[_Rule] = Field(default_factory=list)
    inhibit: list[_Inhibit] | None = None


@dataclass(frozen=True, slots=True)
class RulesFile:
    """What a rules file contributes."""

    rules: tuple[ThresholdRule, ...] = ()
    disable: frozenset[str] = frozenset()
    inhibitions: tuple[InhibitRule, ...] = DEFAULT_INHIBITIONS


def parse_rules(text: str, origin: str = "<rules>") -> RulesFile:
    """Parse and validate the YAML text of a rules file.

    Raises:
        RulesFileError: naming the file and the first problems found.
    """
    try:
        data: Any = yaml.safe_load(text) or {}
        parsed = _File.model_validate(data)
    except yaml.YAMLError as exc:
        raise RulesFileError(f"{origin}: not valid YAML: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise RulesFileError(f"{origin}: {problems}") from None
    names = [r.name for r in parsed.rules]
    if len(names) != len(set(names)):
        raise RulesFileError(f"{origin}: rule names must be unique")
    inhibitions = (
        tuple(
            InhibitRule(frozenset(i.sources), frozenset(i.targets), tuple(i.equal))
            for i in parsed.inhibit
        )
        if parsed.inhibit is not None
        else DEFAULT_INHIBITIONS
    )
    return RulesFile(tuple(_build(r) for r in parsed.rules), frozenset(parsed.disable), inhibitions)


def load_rules_file(path: Path) -> RulesFile:
    """Read and parse a rules file (see :func:`parse_rules`)."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise RulesFileError(f"{path}: {exc.strerror}") from None
    return parse_rules(text, str(path))


def _build(rule: _Rule) -> ThresholdRule:
    try:
        thresholds = tuple(
            Threshold(AlertLevel(level.upper()), spec.above, _clear(spec, rule.below))
            for level, spec in rule.levels.items()
        )
    except ValueError as exc:
        raise RulesFileError(f"rule {rule.name}: {exc}") from None
    return ThresholdRule(
        ThresholdSpec(
            name=rule.name,
            event_type=EVENT_TYPES[rule.event],
            field=rule.field,
            thresholds=thresholds,
            labels=tuple(rule.labels),
            context=tuple(rule.context),
            where={
                k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in rule.where.items()
            },
            below=rule.below,
            title=rule.title,
            message=rule.message,
            for_seconds=rule.for_seconds,
            valid_for_seconds=rule.resolve_after,
        )
    )


def _clear(level: _Level, below: bool) -> float:
    if level.clear is None:
        return level.above
    # For a "below" rule the clear line sits above the threshold; the rule negates both.
    if below and level.clear < level.above:
        raise ValueError(f"clear {level.clear} must be above {level.above} for a below rule")
    if not below and level.clear > level.above:
        raise ValueError(f"clear {level.clear} must not exceed {level.above}")
    return level.clear
