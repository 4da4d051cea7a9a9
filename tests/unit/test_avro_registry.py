"""Loading the schema directory: events, released copies, fingerprints, location."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mediawatch_common.avro import CURRENT, SchemaError, SchemaRegistry, find_schema_dir
from mediawatch_common.events import EVENT_TYPES

pytestmark = pytest.mark.unit

REPO_SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "avro"
# Every event of the typed code must have a schema file, and nothing else is an event.
EVENTS = tuple(sorted(EVENT_TYPES))


def test_default_location_is_the_repository_schema_dir() -> None:
    assert find_schema_dir() == REPO_SCHEMAS
    assert SchemaRegistry().schema_dir == REPO_SCHEMAS


def test_only_events_are_registered_not_shared_types() -> None:
    assert SchemaRegistry().names == EVENTS


def test_versions_list_releases_before_current() -> None:
    versions = SchemaRegistry().versions("StageCompleted")

    assert [v.version for v in versions] == ["v1", "v2", "v3", CURRENT]
    assert versions[0].path.parent == REPO_SCHEMAS / "released" / "v1"


def test_writer_lookup_by_fingerprint() -> None:
    registry = SchemaRegistry()
    current = registry.current("AlertRaised")

    assert registry.by_fingerprint(current.fingerprint) == current
    assert registry.by_fingerprint(b"\x00" * 8) is None
    assert current.full_name == "io.mediawatch.events.AlertRaised"
    assert len(current.fingerprint) == 8


def test_every_schema_and_field_is_documented() -> None:
    for path in sorted(REPO_SCHEMAS.glob("*.avsc")):
        schema = json.loads(path.read_text())
        assert schema.get("doc"), path.name
        for field in schema.get("fields", ()):
            assert field.get("doc"), f"{path.name}: {field['name']}"


def test_the_latest_release_holds_a_copy_of_every_schema_file() -> None:
    current = {p.name for p in REPO_SCHEMAS.glob("*.avsc")}
    latest = max((REPO_SCHEMAS / "released").iterdir(), key=lambda p: int(p.name[1:]))
    released = {p.name for p in latest.glob("*.avsc")}

    assert current == released, f"cut a new release: copy schemas/avro/*.avsc to {latest.parent}"


def test_explicit_directory_overrides_the_default(tmp_path: Path) -> None:
    for name in ("Producer", "Stage", "ErrorCode", "StageStarted"):
        file = f"io.mediawatch.events.{name}.avsc"
        shutil.copy(REPO_SCHEMAS / file, tmp_path / file)

    registry = SchemaRegistry(tmp_path)

    assert registry.names == ("StageStarted",)
    assert registry.versions("StageStarted")[0].version == CURRENT


def test_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="does not exist"):
        SchemaRegistry(tmp_path / "nope")


def test_missing_referenced_type_is_an_error(tmp_path: Path) -> None:
    file = "io.mediawatch.events.StageStarted.avsc"
    shutil.copy(REPO_SCHEMAS / file, tmp_path / file)

    with pytest.raises(SchemaError, match="StageStarted"):
        SchemaRegistry(tmp_path)


def test_file_must_be_named_after_the_schema(tmp_path: Path) -> None:
    shutil.copy(REPO_SCHEMAS / "io.mediawatch.events.Producer.avsc", tmp_path)
    shutil.copy(
        REPO_SCHEMAS / "io.mediawatch.events.AlertResolved.avsc", tmp_path / "resolved.avsc"
    )

    with pytest.raises(SchemaError, match="name the file"):
        SchemaRegistry(tmp_path)


def test_find_schema_dir_fails_outside_a_checkout(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="schemas/avro"):
        find_schema_dir(tmp_path)
