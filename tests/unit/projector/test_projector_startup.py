"""The projector's start-up check of the migrations, which reads the scripts without Alembic."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from mediawatch_store.migrate import alembic_config, script_heads

pytestmark = pytest.mark.unit


def test_the_heads_read_from_the_scripts_are_alembics() -> None:
    scripts = ScriptDirectory.from_config(alembic_config("postgresql://unused", "unused"))

    assert script_heads() == frozenset(scripts.get_heads())


def test_a_branch_and_its_merge_leave_one_head(tmp_path: Path) -> None:
    for name, text in {
        "a.py": 'revision = "a"\ndown_revision = None\n',
        "b.py": 'revision = "b"\ndown_revision = "a"\n',
        "c.py": 'revision: str = "c"\ndown_revision = "a"\n',
        "m.py": 'revision = "m"\ndown_revision = ("b", "c")\n',
    }.items():
        (tmp_path / name).write_text(text)

    assert script_heads(tmp_path) == frozenset({"m"})
    (tmp_path / "m.py").unlink()
    assert script_heads(tmp_path) == frozenset({"b", "c"})
