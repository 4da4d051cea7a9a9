"""Query parameters that take one word of a fixed set, in any case.

``level=error``, ``level=Error`` and ``level=ERROR`` mean the same: the handler receives the
word's canonical spelling. An unknown word gets a 400 naming the parameter and the words it
takes. The OpenAPI document states the same rule: a pattern matching the words in any case,
with the canonical spellings as examples.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from litestar.openapi.spec import Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition

from mediawatch_api.queries.logs import LEVELS
from mediawatch_common.events import AlertLevel as EventAlertLevel
from mediawatch_common.events import Stage as EventStage

SHOWN = 40
"""Longest part of a refused value repeated in the error."""


class Choice(str):
    """A word of ``allowed``, in its canonical spelling; each subclass names one set."""

    allowed: ClassVar[tuple[str, ...]] = ()
    _canonical: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._canonical = {word.casefold(): word for word in cls.allowed}

    @classmethod
    def parse(cls, value: object) -> Self:
        """``value`` in its canonical spelling, whatever its case.

        Raises:
            ValueError: naming the words allowed (Litestar answers it as a 400 for the
                parameter).
        """
        word = cls._canonical.get(value.casefold()) if isinstance(value, str) else None
        if word is None:
            shown = repr(value)[:SHOWN]
            raise ValueError(f"expected one of {', '.join(cls.allowed)} (any case), got {shown}")
        return cls(word)

    @classmethod
    def pattern(cls) -> str:
        """A regular expression (ECMA and Python alike) matching the words in any case."""
        return "^(?:" + "|".join(_any_case(word) for word in cls.allowed) + ")$"


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


def is_choice(annotation: Any) -> bool:
    """Whether a parameter's type is a :class:`Choice`."""
    return isinstance(annotation, type) and issubclass(annotation, Choice)


def decode_choice(annotation: type[Choice], value: Any) -> Choice:
    """Litestar's decoder of a :class:`Choice` parameter."""
    return annotation.parse(value)


TYPE_DECODERS = [(is_choice, decode_choice)]
"""The app's ``type_decoders``: parameters typed with a :class:`Choice` go through ``parse``."""


class ChoiceSchemas(OpenAPISchemaPlugin):
    """OpenAPI schema of a :class:`Choice`: a string matching its words in any case."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        """Whether ``value`` is a :class:`Choice` type."""
        return is_choice(value)

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        """The pattern of the words, and their canonical spellings as examples."""
        choice: type[Choice] = field_definition.annotation
        return Schema(
            type=OpenAPIType.STRING, pattern=choice.pattern(), examples=list(choice.allowed)
        )


class LogLevel(Choice):
    """A log record's level."""

    allowed = LEVELS


class AlertLevel(Choice):
    """An alert's level, as the API writes it."""

    allowed = tuple(level.value.lower() for level in EventAlertLevel)


class Stage(Choice):
    """A pipeline stage, as the API writes it."""

    allowed = tuple(stage.value.lower() for stage in EventStage)


class AlertStatus(Choice):
    """Which alerts ``/alerts`` lists."""

    allowed = ("firing", "resolved", "acknowledged", "all")


class SilenceState(Choice):
    """A silence's state now."""

    allowed = ("active", "pending", "expired")
