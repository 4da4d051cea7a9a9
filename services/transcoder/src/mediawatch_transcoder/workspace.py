"""Per-session temp workspaces with names that are safe whatever the session id is."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def safe_name(text: str, limit: int = 64) -> str:
    """A file-name-safe form of ``text``; different texts never share a result."""
    cleaned = _UNSAFE.sub("_", text)[:limit].strip(".") or "_"
    if cleaned == text:
        return cleaned
    return f"{cleaned}-{hashlib.sha256(text.encode()).hexdigest()[:10]}"


def safe_suffix(filename: str) -> str:
    """The lower-cased extension of an uploaded name when it is plain, else ``.bin``."""
    suffix = Path(filename).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ".bin"


def workspace_for(root: Path, session_id: str, attempt: int) -> Path:
    """The workspace of one attempt of a session."""
    return root / f"{safe_name(session_id)}-a{attempt}"


def remove_stale(root: Path, session_id: str) -> list[Path]:
    """Delete workspaces that earlier, lost attempts of the session left on this host."""
    removed = []
    pattern = re.compile(re.escape(safe_name(session_id)) + r"-a\d+")
    for path in root.glob(f"{safe_name(session_id)}-a*"):
        if pattern.fullmatch(path.name) and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def tree_bytes(path: Path) -> int:
    """Total size of the files under ``path`` (0 when it does not exist)."""
    total = 0
    stack = [path]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_size
        except OSError:
            continue
    return total
