"""Avro bodies read by a function compiled from their schema (the consumers' hot paths).

:func:`compile_reader` turns one writer schema into a straight-line Python reader of exactly
that layout, far cheaper than fastavro interpreting the schema for every message;
:func:`compile_fields_reader` reads only a few top-level fields. A reader returns what
``AvroCodec.decode(data, uuid_as_text=True)`` does and is used only for bodies written with
its schema; anything else goes through the codec (``docs/design-notes/common.md``).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from mediawatch_common.avro import DecodeError

BodyReader = Callable[[bytes, int], dict[str, Any]]
"""Reads the record whose body starts at an offset of the message and ends with it."""
FieldsReader = Callable[[bytes, int], tuple[Any, ...]]
"""Reads some fields of the record whose body starts at an offset of the message."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "string", "bytes"}
_ONE_BYTE = 64
"""Union branches and enum symbols whose index is one byte (zig-zag ``2 * index``), which is
how every Avro writer encodes an index below 64; the reader compares that byte directly."""


class UnsupportedSchemaError(ValueError):
    """The schema uses a type or logical type this compiler does not handle."""


class _TruncatedError(Exception):
    """The body ends before the value being read."""


class _InvalidError(Exception):
    """The body does not follow the schema (bad union branch, enum index, length)."""


def _varint(buf: bytes, p: int, b: int) -> tuple[int, int]:
    """The zig-zag varint whose first byte ``b`` (>= 0x80) was read just before ``p``."""
    n, shift = b - 0x80, 7
    b = buf[p]
    while b >= 0x80:
        n |= (b - 0x80) << shift
        shift += 7
        if shift > 63:
            raise _InvalidError("varint longer than 10 bytes")
        p += 1
        b = buf[p]
    n |= b << shift
    return (n >> 1) ^ -(n & 1), p + 1


_PAIRS = tuple((h & 0x7F) | (h >> 8 & 0x7F) << 7 for h in range(1 << 16))
"""The 14 value bits of two varint bytes, by the two bytes read as one little-endian uint16."""
_FOUR_PAIRS = struct.Struct("<4H").unpack_from


def _varint_wide(buf: bytes, p: int, b: int) -> tuple[int, int]:
    """:func:`_varint` for values that usually take 8 bytes (timestamps in microseconds):
    the 8 bytes are read in one call and combined two at a time, about twice as fast as
    the byte loop; any other length goes through the loop."""
    try:
        h0, h1, h2, h3 = _FOUR_PAIRS(buf, p - 1)
    except struct.error:
        return _varint(buf, p, b)
    if h0 & h1 & h2 & 0x8080 != 0x8080 or h3 & 0x8080 != 0x0080:
        return _varint(buf, p, b)
    n = _PAIRS[h0] | _PAIRS[h1] << 14 | _PAIRS[h2] << 28 | _PAIRS[h3] << 42
    return (n >> 1) ^ -(n & 1), p + 7


def _uuid_text(value: str, field: str) -> str:
    """The canonical text of a uuid, checked as fastavro's conversion would."""
    if _CANONICAL_UUID.fullmatch(value):
        return value
    try:
        return str(UUID(value))
    except ValueError:
        raise _InvalidError(f"{field} is not a uuid") from None


_NAMESPACE: dict[str, Any] = {
    "_varint": _varint,
    "_varint_wide": _varint_wide,
    "_uuid_text": _uuid_text,
    "_TruncatedError": _TruncatedError,
    "_InvalidError": _InvalidError,
    "_EPOCH": _EPOCH,
    "_td": timedelta,
    "_double": struct.Struct("<d").unpack_from,
    "_float": struct.Struct("<f").unpack_from,
}


class _Compiler:
    """Emits the statements that read one schema into local variables."""

    def __init__(self, named: dict[str, Any]) -> None:
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {}
        self._named = named
        self._count = 0

    def _var(self) -> str:
        self._count += 1
        return f"v{self._count}"

    def _emit(self, indent: int, *lines: str) -> None:
        self.lines.extend("    " * indent + line for line in lines)

    def _long(self, target: str, indent: int, wide: bool = False) -> None:
        self._emit(
            indent,
            "b = buf[p]",
            "p += 1",
            "if b < 128:",
            f"    {target} = (b >> 1) ^ -(b & 1)",
            "else:",
            f"    {target}, p = {'_varint_wide' if wide else '_varint'}(buf, p, b)",
        )

    def _resolve(self, schema: Any) -> Any:
        if isinstance(schema, str) and schema not in _PRIMITIVES:
            if schema not in self._named:
                raise UnsupportedSchemaError(f"unknown named type {schema}")
            return self._named[schema]
        return schema

    def read(self, schema: Any, indent: int, uuid_field: str | None = None) -> str:
        """Emit the reading of one value of ``schema``; the variable that holds it."""
        schema = self._resolve(schema)
        if isinstance(schema, list):
            return self._union(schema, indent)
        kind = schema if isinstance(schema, str) else schema["type"]
        logical = None if isinstance(schema, str) else schema.get("logicalType")
        if isinstance(schema, dict) and kind in _PRIMITIVES and not logical:
            return self.read(kind, indent)
        out = self._var()
        if logical == "uuid" and kind == "string" and uuid_field:
            raw = self.read("string", indent)
            self._emit(indent, f"{out} = _uuid_text({raw}, {uuid_field!r})")
        elif logical in ("timestamp-micros", "timestamp-millis") and kind == "long":
            raw = self._var()
            self._long(raw, indent, wide=True)
            # timedelta(days, seconds, microseconds, milliseconds): positional arguments
            # are faster than keywords here
            unit = "0, 0, " if logical == "timestamp-micros" else "0, 0, 0, "
            self._emit(indent, f"{out} = _EPOCH + _td({unit}{raw})")
        elif logical is not None:
            raise UnsupportedSchemaError(f"logical type {logical} on {kind}")
        elif kind == "null":
            self._emit(indent, f"{out} = None")
        elif kind == "boolean":
            self._emit(indent, f"{out} = buf[p] == 1", "p += 1")
        elif kind in ("int", "long"):
            self._long(out, indent)
        elif kind in ("double", "float"):
            size = 8 if kind == "double" else 4
            self._emit(
                indent,
                f"if p + {size} > end: raise _TruncatedError",
                f"{out}, = _{kind}(buf, p)",
                f"p += {size}",
            )
        elif kind in ("string", "bytes"):
            n = self._var()
            self._long(n, indent)
            decode = ".decode()" if kind == "string" else ""
            self._emit(
                indent,
                f"if {n} < 0: raise _InvalidError('negative length')",
                f"if p + {n} > end: raise _TruncatedError",
                f"{out} = buf[p:p + {n}]{decode}",
                f"p += {n}",
            )
        elif kind == "enum":
            symbols = tuple(schema["symbols"])
            if len(symbols) > _ONE_BYTE:
                raise UnsupportedSchemaError(f"enum of {len(symbols)} symbols")
            name = f"_symbols{len(self.constants)}"
            self.constants[name] = symbols
            self._emit(
                indent,
                "b = buf[p]",
                "p += 1",
                f"if b & 1 or b >= {2 * len(symbols)}: raise _InvalidError('enum index')",
                f"{out} = {name}[b >> 1]",
            )
        elif kind == "record":
            return self.record(schema, indent)
        elif kind in ("array", "map"):
            self._blocks(schema, kind, out, indent)
        else:
            raise UnsupportedSchemaError(f"type {kind}")
        return out

    def record(self, schema: dict[str, Any], indent: int, top: bool = False) -> str:
        """Emit the reading of a record's fields in order; the variable of its dict."""
        values = []
        for field in schema["fields"]:
            uuid_field = field["name"] if top else None
            values.append((field["name"], self.read(field["type"], indent, uuid_field)))
        out = self._var()
        items = ", ".join(f"{name!r}: {var}" for name, var in values)
        self._emit(indent, f"{out} = {{{items}}}")
        return out

    def skip(self, schema: Any, indent: int) -> None:
        """Emit the stepping over one value of ``schema`` (checked, but not built)."""
        schema = self._resolve(schema)
        if isinstance(schema, list):
            if len(schema) > _ONE_BYTE:
                raise UnsupportedSchemaError(f"union of {len(schema)} branches")
            self._emit(indent, "b = buf[p]", "p += 1")
            for index, branch in enumerate(schema):
                self._emit(indent, f"{'if' if index == 0 else 'elif'} b == {2 * index}:")
                self._emit(indent + 1, "pass")
                self.skip(branch, indent + 1)
            self._emit(indent, "else:", "    raise _InvalidError('union branch')")
            return
        kind = schema if isinstance(schema, str) else schema["type"]
        if kind == "null":
            return
        if kind == "boolean":
            self._emit(indent, "if p >= end: raise _TruncatedError", "p += 1")
        elif kind in ("int", "long"):
            self._emit(indent, "b = buf[p]", "p += 1", "while b >= 128:")
            self._emit(indent + 1, "b = buf[p]", "p += 1")
        elif kind in ("double", "float"):
            size = 8 if kind == "double" else 4
            self._emit(indent, f"p += {size}", "if p > end: raise _TruncatedError")
        elif kind in ("string", "bytes"):
            n = self._var()
            self._long(n, indent)
            self._emit(
                indent,
                f"if {n} < 0: raise _InvalidError('negative length')",
                f"p += {n}",
                "if p > end: raise _TruncatedError",
            )
        elif kind == "enum":
            count = len(schema["symbols"])
            if count > _ONE_BYTE:
                raise UnsupportedSchemaError(f"enum of {count} symbols")
            self._emit(
                indent,
                "b = buf[p]",
                "p += 1",
                f"if b & 1 or b >= {2 * count}: raise _InvalidError('enum index')",
            )
        elif kind == "record":
            for field in schema["fields"]:
                self.skip(field["type"], indent)
        elif kind in ("array", "map"):
            self.read(schema, indent)  # rare in our events: read and drop
        else:
            raise UnsupportedSchemaError(f"type {kind}")

    def fields(self, schema: dict[str, Any], wanted: tuple[str, ...], indent: int) -> str:
        """Emit the reading of the ``wanted`` top-level fields, stepping over the others; the
        variable of their tuple, in ``wanted`` order."""
        names = [field["name"] for field in schema["fields"]]
        missing = [name for name in wanted if name not in names]
        if missing:
            raise UnsupportedSchemaError(f"no field {', '.join(missing)} in {schema['name']}")
        found = {}
        for field in schema["fields"]:
            if field["name"] in wanted:
                found[field["name"]] = self.read(field["type"], indent, field["name"])
            else:
                self.skip(field["type"], indent)
        out = self._var()
        self._emit(indent, f"{out} = ({', '.join(found[name] for name in wanted)},)")
        return out

    def _union(self, branches: list[Any], indent: int) -> str:
        if len(branches) > _ONE_BYTE:
            raise UnsupportedSchemaError(f"union of {len(branches)} branches")
        out = self._var()
        self._emit(indent, "b = buf[p]", "p += 1")
        for index, branch in enumerate(branches):
            self._emit(indent, f"{'if' if index == 0 else 'elif'} b == {2 * index}:")
            self._emit(indent + 1, f"{out} = {self.read(branch, indent + 1)}")
        self._emit(indent, "else:", "    raise _InvalidError('union branch')")
        return out

    def _blocks(self, schema: dict[str, Any], kind: str, out: str, indent: int) -> None:
        """Arrays and maps: blocks of ``count`` items (a negative count has a byte size)."""
        count, size = self._var(), self._var()
        self._emit(indent, f"{out} = {'[]' if kind == 'array' else '{}'}", "while True:")
        self._long(count, indent + 1)
        self._emit(indent + 1, f"if {count} == 0: break", f"if {count} < 0:")
        self._emit(indent + 2, f"{count} = -{count}")
        self._long(size, indent + 2)
        self._emit(indent + 1, f"for _ in range({count}):")
        if kind == "array":
            item = self.read(schema["items"], indent + 2)
            self._emit(indent + 2, f"{out}.append({item})")
        else:
            key = self.read("string", indent + 2)
            value = self.read(schema["values"], indent + 2)
            self._emit(indent + 2, f"{out}[{key}] = {value}")


def compile_reader(schema: dict[str, Any]) -> BodyReader:
    """A reader of bodies written with ``schema`` (a fastavro-parsed record schema).

    Raises:
        UnsupportedSchemaError: The schema uses something the compiler does not handle; read
            it with the codec instead.
    """
    compiler = _Compiler(dict(schema.get("__named_schemas", {})))
    return _build(schema, compiler, compiler.record(schema, 1, top=True))


def compile_fields_reader(schema: dict[str, Any], wanted: tuple[str, ...]) -> FieldsReader:
    """A reader of the ``wanted`` top-level fields of bodies written with ``schema``: their
    values in ``wanted`` order; the other fields are stepped over, not built. The whole body
    is still checked against the schema's layout (lengths, union branches, enum indexes,
    trailing bytes).

    Raises:
        UnsupportedSchemaError: A wanted field does not exist, or the schema uses something
            the compiler does not handle.
    """
    compiler = _Compiler(dict(schema.get("__named_schemas", {})))
    return _build(schema, compiler, compiler.fields(schema, wanted, 1))


def _build(schema: dict[str, Any], compiler: _Compiler, result: str) -> Callable[[bytes, int], Any]:
    """Wraps the emitted statements into a function, compiles it and maps its errors."""
    body = compiler.lines
    compiler.lines = ["def read(buf, p):", "    end = len(buf)", *body]
    compiler.lines.append("    if p != end: raise _InvalidError(f'{end - p} trailing bytes')")
    compiler.lines.append(f"    return {result}")
    namespace = {**_NAMESPACE, **compiler.constants}
    source = "\n".join(compiler.lines)
    exec(compile(source, f"<avro reader {schema['name']}>", "exec"), namespace)  # noqa: S102 - source generated from a schema
    read: Callable[[bytes, int], Any] = namespace["read"]
    name = schema["name"].rsplit(".", 1)[-1]

    def checked(buf: bytes, p: int) -> Any:
        try:
            return read(buf, p)
        except (IndexError, _TruncatedError) as exc:
            raise DecodeError("truncated_body", f"{name}: {len(buf) - p} body bytes") from exc
        except (_InvalidError, UnicodeDecodeError, OverflowError) as exc:
            raise DecodeError("invalid_body", f"{name}: {type(exc).__name__}: {exc}") from exc

    return checked
