"""The ``mediawatch`` command: services and operator commands, found through entry points."""

from __future__ import annotations

from mediawatch_common.cli.main import main

__all__ = ["main"]
