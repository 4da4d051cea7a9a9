"""Sinks and routes: a YAML/JSON file, or one sink from ``NOTIFIER_URL`` (docs/alerting.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from mediawatch_common.alerting import MatcherError, parse_matcher
from mediawatch_common.events import SilenceMatcher
from mediawatch_notifier.settings import LevelName, NotifierSettings, SinkType, WebhookFormat
from mediawatch_notifier.url_safety import Resolver, UnsafeUrlError, check_url, system_resolver

LEVELS: tuple[LevelName, ...] = ("info", "warning", "error", "critical")
ALERTMANAGER_PATH = "/api/v2/alerts"
DEFAULT_RESEND_SECONDS = 60.0


class RoutingError(ValueError):
    """The routing configuration is invalid or names an unsafe URL."""


@dataclass(frozen=True, slots=True)
class Sink:
    """A destination. ``url`` and ``secret`` are secrets: never logged.

    ``format`` is the generic webhook's body (ours or Alertmanager's); an ``alertmanager``
    sink's ``url`` is its alerts endpoint, pushed again every ``resend_interval_seconds``.
    """

    name: str
    type: SinkType
    url: SecretStr
    secret: SecretStr | None = None
    format: WebhookFormat = "mediawatch"
    resend_interval_seconds: float = DEFAULT_RESEND_SECONDS


@dataclass(frozen=True, slots=True)
class Route:
    """Which alerts go to which sinks, and how they are grouped."""

    name: str
    levels: frozenset[str]
    sinks: tuple[str, ...]
    matchers: tuple[SilenceMatcher, ...] = ()
    group_by: tuple[str, ...] = ("rule",)
    group_wait_seconds: float = 10.0
    repeat_interval_seconds: float = 4 * 3600.0
    send_resolved: bool = True


@dataclass(frozen=True, slots=True)
class Routing:
    """Every sink and route."""

    sinks: Mapping[str, Sink]
    routes: tuple[Route, ...]
    timeouts: Mapping[str, float] = field(default_factory=dict)


class _SinkModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: SinkType
    url: SecretStr | None = None
    url_env: str | None = None
    secret: SecretStr | None = None
    secret_env: str | None = None
    timeout_seconds: float | None = Field(None, gt=0)
    format: WebhookFormat | None = None
    resend_interval_seconds: float | None = Field(None, ge=5, le=3600)

    @model_validator(mode="after")
    def _one_url(self) -> _SinkModel:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("give exactly one of url or url_env")
        if self.format is not None and self.type != "webhook":
            raise ValueError("format applies to a webhook sink only")
        if self.resend_interval_seconds is not None and self.type != "alertmanager":
            raise ValueError("resend_interval_seconds applies to an alertmanager sink only")
        return self


class _RouteModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    levels: list[LevelName] = Field(default_factory=lambda: list(LEVELS))
    min_level: LevelName | None = None
    match: list[str] = Field(default_factory=list)
    sinks: list[str] = Field(min_length=1)
    group_by: list[str] | None = None
    group_wait_seconds: float | None = Field(None, ge=0)
    repeat_interval_seconds: float | None = Field(None, gt=0)
    send_resolved: bool | None = None


class _FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sinks: dict[str, _SinkModel] = Field(min_length=1)
    routes: list[_RouteModel] = Field(min_length=1)


def load_routing(
    settings: NotifierSettings,
    env: Mapping[str, str] | None = None,
    resolve: Resolver = system_resolver,
) -> Routing:
    """Routing from ``NOTIFIER_ROUTES_FILE``, else the one-sink shortcut variables.

    Raises:
        RoutingError: invalid file, unknown sink, no sink at all, or an unsafe URL.
    """
    if settings.routes_file is not None:
        try:
            text = settings.routes_file.read_text()
        except OSError as exc:
            raise RoutingError(f"{settings.routes_file}: {exc.strerror}") from None
        routing = parse_routing(text, settings, os.environ if env is None else env)
    elif settings.url is not None:
        sink = _checked(Sink("default", settings.sink_type, settings.url, settings.secret))
        levels = frozenset(LEVELS[LEVELS.index(settings.min_level) :])
        route = _route_defaults("default", levels, ("default",), settings)
        routing = Routing({"default": sink}, (route,))
    else:
        raise RoutingError("no sink configured: set NOTIFIER_ROUTES_FILE or NOTIFIER_URL")
    for sink in routing.sinks.values():
        try:
            check_url(
                sink.url.get_secret_value(),
                allow_link_local=settings.allow_link_local,
                resolve=resolve,
            )
        except UnsafeUrlError as exc:
            raise RoutingError(f"sink {sink.name}: {exc}") from None
    return routing


def parse_routing(text: str, settings: NotifierSettings, env: Mapping[str, str]) -> Routing:
    """Parse a routing file's text (YAML, which includes JSON)."""
    try:
        model = _FileModel.model_validate(yaml.safe_load(text) or {})
    except yaml.YAMLError as exc:
        raise RoutingError(f"routing file is not valid YAML/JSON: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise RoutingError(f"routing file: {problems}") from None
    sinks = {name: _sink(name, s, env) for name, s in model.sinks.items()}
    routes = tuple(_route(n, r, sinks, settings) for n, r in enumerate(model.routes, 1))
    timeouts = {n: s.timeout_seconds for n, s in model.sinks.items() if s.timeout_seconds}
    return Routing(sinks, routes, timeouts)


def _sink(name: str, model: _SinkModel, env: Mapping[str, str]) -> Sink:
    url = model.url or _from_env(name, model.url_env, env)
    secret = model.secret or (_from_env(name, model.secret_env, env) if model.secret_env else None)
    if model.type == "webhook" and secret is None:
        raise RoutingError(f"sink {name}: a generic webhook needs a secret (HMAC key)")
    return _checked(
        Sink(
            name,
            model.type,
            url,
            secret,
            format=model.format or "mediawatch",
            resend_interval_seconds=model.resend_interval_seconds or DEFAULT_RESEND_SECONDS,
        )
    )


def _checked(sink: Sink) -> Sink:
    """The sink, an Alertmanager's URL completed with its alerts path; or a RoutingError."""
    if sink.type != "alertmanager":
        return sink
    if sink.secret is not None:
        raise RoutingError(
            f"sink {sink.name}: an alertmanager sink takes no secret "
            "(put basic-auth credentials in its URL)"
        )
    url = sink.url.get_secret_value().rstrip("/")
    if not url.endswith(ALERTMANAGER_PATH):
        url += ALERTMANAGER_PATH
    return replace(sink, url=SecretStr(url))


def _from_env(sink: str, var: str | None, env: Mapping[str, str]) -> SecretStr:
    if not var or not env.get(var):
        raise RoutingError(f"sink {sink}: environment variable {var} is not set")
    return SecretStr(env[var])


def _route(n: int, model: _RouteModel, sinks: Mapping[str, Sink], s: NotifierSettings) -> Route:
    unknown = [name for name in model.sinks if name not in sinks]
    if unknown:
        raise RoutingError(f"route {n}: unknown sink(s) {', '.join(unknown)}")
    levels = (
        LEVELS[LEVELS.index(model.min_level) :] if model.min_level is not None else model.levels
    )
    try:
        matchers = tuple(parse_matcher(m) for m in model.match)
    except MatcherError as exc:
        raise RoutingError(f"route {n}: {exc}") from None
    base = _route_defaults(model.name or f"route{n}", frozenset(levels), tuple(model.sinks), s)
    return Route(
        name=base.name,
        levels=base.levels,
        sinks=base.sinks,
        matchers=matchers,
        group_by=tuple(model.group_by) if model.group_by is not None else base.group_by,
        group_wait_seconds=_pick(model.group_wait_seconds, base.group_wait_seconds),
        repeat_interval_seconds=_pick(model.repeat_interval_seconds, base.repeat_interval_seconds),
        send_resolved=model.send_resolved if model.send_resolved is not None else s.send_resolved,
    )


def _pick(value: float | None, default: float) -> float:
    return default if value is None else value


def _route_defaults(
    name: str, levels: frozenset[str], sinks: tuple[str, ...], s: NotifierSettings
) -> Route:
    return Route(
        name=name,
        levels=levels,
        sinks=sinks,
        group_wait_seconds=s.group_wait_seconds,
        repeat_interval_seconds=s.repeat_interval_seconds,
        send_resolved=s.send_resolved,
    )


def describe(routing: Routing) -> list[dict[str, Any]]:
    """The routing for logs: sink names and types only, never URLs."""
    return [
        {
            "route": r.name,
            "levels": sorted(r.levels),
            "sinks": [f"{n}:{routing.sinks[n].type}" for n in r.sinks],
        }
        for r in routing.routes
    ]
