"""Avro event contract: schema registry, single-object codec and compatibility checks."""

from mediawatch_common.avro.codec import AvroCodec
from mediawatch_common.avro.compat import (
    Incompatibility,
    Mode,
    can_read,
    check_compatibility,
)
from mediawatch_common.avro.errors import (
    AvroError,
    DecodeError,
    DecodeReason,
    EncodeError,
    SchemaError,
)
from mediawatch_common.avro.framing import HEADER_SIZE, MARKER, frame, unframe
from mediawatch_common.avro.registry import (
    CURRENT,
    RegisteredSchema,
    SchemaRegistry,
    find_schema_dir,
)
from mediawatch_common.avro.schema import Schema, canonical_form, fingerprint64

__all__ = [
    "CURRENT",
    "HEADER_SIZE",
    "MARKER",
    "AvroCodec",
    "AvroError",
    "DecodeError",
    "DecodeReason",
    "EncodeError",
    "Incompatibility",
    "Mode",
    "RegisteredSchema",
    "Schema",
    "SchemaError",
    "SchemaRegistry",
    "can_read",
    "canonical_form",
    "check_compatibility",
    "find_schema_dir",
    "fingerprint64",
    "frame",
    "unframe",
]
