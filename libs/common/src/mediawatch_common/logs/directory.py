"""One log directory per process: no two processes ever write or rotate the same file.

A process claims ``LOG_DIR/NAME`` (its service or command) by holding an exclusive lock on
``NAME/.lock`` for as long as it runs; a second process of the same name on the host finds
the lock taken and claims ``NAME-2``, then ``NAME-3``... The operating system drops the lock
when the process ends, however it ends, so the next process reuses the directory.
"""

from __future__ import annotations

import fcntl
import re
from pathlib import Path
from typing import TextIO

LOCK_FILE = ".lock"
MAX_DIRECTORIES = 64
_held: list[tuple[Path, TextIO]] = []


class LogDirectoryError(RuntimeError):
    """Every candidate directory is held by another process."""


def _clean(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name).strip(".") or "process"


def claim_directory(root: Path, name: str) -> Path:
    """Lock and return the first free directory of ``name`` under ``root``.

    Releases the directory this process held before, if any.
    """
    release_directory()
    base = _clean(name)
    for n in range(1, MAX_DIRECTORIES + 1):
        directory = root / (base if n == 1 else f"{base}-{n}")
        directory.mkdir(parents=True, exist_ok=True)
        handle = (directory / LOCK_FILE).open("a", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        _held.append((directory, handle))
        return directory
    raise LogDirectoryError(f"{MAX_DIRECTORIES} log directories of {base} in {root} are in use")


def release_directory() -> None:
    """Let another process claim the directory this one holds."""
    while _held:
        _held.pop()[1].close()


def held_directory() -> Path | None:
    """The directory this process claimed (None before :func:`claim_directory`)."""
    return _held[-1][0] if _held else None
