"""The JSON Schema of each ingestible event, derived from its ``.avsc``.

The OpenAPI document of ``POST /api/v1/events`` shows these, so a client in any language sees
the contract's fields, types and limits; the parser (:mod:`mediawatch_api.ingest.parse`)
enforces the same rules, and a unit test keeps the two in agreement.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mediawatch_common.avro import SchemaRegistry
from mediawatch_common.avro.schema import named_types

MAX_TEXT = 1024
"""Longest string accepted in any field, map key or map value."""
MAX_MAP_ITEMS = 64
FILLED_IN = frozenset({"event_id", "event_time", "producer"})
"""Fields the API fills when they are left out."""
NO_NUL = "^[^\\u0000]*$"
_INTEGERS = {"int": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


def event_schemas(registry: SchemaRegistry, names: list[str]) -> list[dict[str, Any]]:
    """One JSON Schema object per event name, ``type`` naming the event."""
    return [_event(name, registry.current(name).schema) for name in names]


def _event(name: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    names = named_types(dict(schema))
    properties: dict[str, Any] = {"type": {"type": "string", "enum": [name]}}
    required = ["type"]
    for field in schema["fields"]:
        key = field["name"]
        if key == "producer":
            properties[key] = _producer()
        else:
            properties[key] = {**_type(field["type"], names), "description": field["doc"]}
        if "default" not in field and key not in FILLED_IN:
            required.append(key)
    return {
        "type": "object",
        "title": name,
        "description": schema.get("doc", ""),
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _producer() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Who sent the event; the caller's account and address when left out.",
        "properties": {
            "service": _type("string", {}),
            "host": _type("string", {}),
            "pid": _type("int", {}),
        },
        "additionalProperties": False,
    }


def _type(schema: Any, names: Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(schema, list):
        return {"anyOf": [_type(branch, names) for branch in schema]}
    if isinstance(schema, str):
        if schema in names:
            return _type(names[schema], names)
        return _primitive(schema)
    logical = schema.get("logicalType")
    if logical == "uuid":
        return {"type": "string", "format": "uuid"}
    if logical == "timestamp-micros":
        return {"type": "string", "format": "date-time"}
    kind = schema["type"]
    if kind == "enum":
        return {"type": "string", "enum": list(schema["symbols"])}
    if kind == "map":
        return {
            "type": "object",
            "maxProperties": MAX_MAP_ITEMS,
            "propertyNames": {"maxLength": MAX_TEXT, "pattern": NO_NUL},
            "additionalProperties": _type(schema["values"], names),
        }
    return _primitive(kind)


def _primitive(kind: str) -> dict[str, Any]:
    if kind in _INTEGERS:
        low, high = _INTEGERS[kind]
        return {"type": "integer", "minimum": low, "maximum": high}
    if kind in ("float", "double"):
        return {"type": "number"}
    if kind == "boolean":
        return {"type": "boolean"}
    if kind == "null":
        return {"type": "null"}
    return {"type": "string", "maxLength": MAX_TEXT, "pattern": NO_NUL}
