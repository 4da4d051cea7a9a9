"""Local schema registry: current and released event schemas, indexed by fingerprint."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mediawatch_common.avro.errors import SchemaError
from mediawatch_common.avro.schema import canonical_form, fingerprint64, load_file, short_name

CURRENT = "current"
"""Version label of the schemas directly in the schema directory."""

RELEASED_DIR = "released"
_SCHEMA_SUBDIR = Path("schemas") / "avro"


@dataclass(frozen=True, slots=True)
class RegisteredSchema:
    """One version of one event schema.

    Attributes:
        name: Short event name, e.g. ``StageCompleted``.
        full_name: Avro full name, e.g. ``io.mediawatch.events.StageCompleted``.
        version: ``current`` or the released directory name, e.g. ``v1``.
        path: The ``.avsc`` file it was loaded from.
        schema: The fastavro-parsed schema.
        canonical_form: Its Parsing Canonical Form.
        fingerprint: Its little-endian CRC-64-AVRO fingerprint (8 bytes).
    """

    name: str
    full_name: str
    version: str
    path: Path
    schema: dict[str, Any]
    canonical_form: str
    fingerprint: bytes


def find_schema_dir(start: Path | None = None) -> Path:
    """Finds ``schemas/avro`` in the nearest ancestor directory of ``start``.

    Args:
        start: Where to start looking; defaults to this module's location, which finds the
            repository's schemas in a source checkout or an editable install.

    Raises:
        SchemaError: No ancestor has a ``schemas/avro`` directory (pass the directory
            explicitly, e.g. from ``MEDIAWATCH_SCHEMA_DIR``).
    """
    origin = (start or Path(__file__)).resolve()
    for directory in (origin, *origin.parents):
        candidate = directory / _SCHEMA_SUBDIR
        if candidate.is_dir():
            return candidate
    raise SchemaError(f"no {_SCHEMA_SUBDIR} above {origin}; pass the schema directory explicitly")


def is_event_schema(schema: dict[str, Any]) -> bool:
    """Tells event schemas from shared named types: events are records with an ``event_id``."""
    fields = schema.get("fields", ()) if schema.get("type") == "record" else ()
    return any(field["name"] == "event_id" for field in fields)


class SchemaRegistry:
    """Every event schema of a schema directory, current and released, without network access.

    The directory holds the current schemas as ``<full name>.avsc`` files; each
    ``released/<version>/`` subdirectory holds a self-contained copy of a released set.
    Files that are not events (shared enums and records) are only used to resolve references.
    """

    def __init__(self, schema_dir: str | Path | None = None) -> None:
        """Loads all schemas.

        Args:
            schema_dir: The schema directory; found with :func:`find_schema_dir` if omitted.

        Raises:
            SchemaError: A file is invalid, or two different schemas share a fingerprint.
        """
        self._dir = Path(schema_dir) if schema_dir is not None else find_schema_dir()
        if not self._dir.is_dir():
            raise SchemaError(f"schema directory {self._dir} does not exist")
        self._current = {s.name: s for s in _load_dir(self._dir, CURRENT)}
        self._history: dict[str, list[RegisteredSchema]] = {}
        for version_dir in _released_dirs(self._dir):
            for entry in _load_dir(version_dir, version_dir.name):
                self._history.setdefault(entry.name, []).append(entry)
        for entry in self._current.values():
            self._history.setdefault(entry.name, []).append(entry)
        self._by_fingerprint: dict[bytes, RegisteredSchema] = {}
        for versions in self._history.values():
            for entry in versions:
                self._index(entry)

    def _index(self, entry: RegisteredSchema) -> None:
        known = self._by_fingerprint.get(entry.fingerprint)
        if known is not None and known.canonical_form != entry.canonical_form:
            raise SchemaError(
                f"fingerprint {entry.fingerprint.hex()} of {entry.path} collides with {known.path}"
            )
        # Later entries win, so identical copies resolve to the newest (current) file.
        self._by_fingerprint[entry.fingerprint] = entry

    @property
    def schema_dir(self) -> Path:
        """The directory the schemas were loaded from."""
        return self._dir

    @property
    def names(self) -> tuple[str, ...]:
        """Short names of all current events, sorted."""
        return tuple(sorted(self._current))

    def current(self, name: str) -> RegisteredSchema:
        """Returns the current (reader) schema of an event.

        Raises:
            KeyError: No current event has this short name.
        """
        return self._current[name]

    def by_fingerprint(self, fingerprint: bytes) -> RegisteredSchema | None:
        """Returns the writer schema with this fingerprint, current or released."""
        return self._by_fingerprint.get(fingerprint)

    def versions(self, name: str) -> tuple[RegisteredSchema, ...]:
        """Returns every known version of an event, oldest release first, current last."""
        return tuple(self._history.get(name, ()))


def _load_dir(directory: Path, version: str) -> list[RegisteredSchema]:
    entries = []
    for path in sorted(directory.glob("*.avsc")):
        schema = load_file(path)
        if not is_event_schema(schema):
            continue
        full_name = schema["name"]
        if path.stem != full_name:
            raise SchemaError(f"{path} defines {full_name}; name the file {full_name}.avsc")
        entries.append(
            RegisteredSchema(
                name=short_name(full_name),
                full_name=full_name,
                version=version,
                path=path,
                schema=schema,
                canonical_form=canonical_form(schema),
                fingerprint=fingerprint64(schema),
            )
        )
    return entries


def _released_dirs(schema_dir: Path) -> list[Path]:
    root = schema_dir / RELEASED_DIR
    if not root.is_dir():
        return []
    return sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: _version_key(p.name))


def _version_key(name: str) -> tuple[int, str]:
    match = re.fullmatch(r"v(\d+)", name)
    return (int(match.group(1)) if match else 1 << 30, name)
