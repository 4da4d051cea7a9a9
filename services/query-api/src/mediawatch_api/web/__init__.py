"""The Litestar query API."""

from __future__ import annotations

from mediawatch_api.web.app import create_app
from mediawatch_api.web.build import build_services
from mediawatch_api.web.services import EventLog, Services

__all__ = ["EventLog", "Services", "build_services", "create_app"]
