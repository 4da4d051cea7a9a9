"""The dashboard's HTML pages: server-rendered shells whose script reads the JSON API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from litestar import Controller, Request, Router, get
from litestar.params import PathParameter
from litestar.response import Template
from litestar.static_files import create_static_files_router

from mediawatch_api.users import User

WEB = Path(__file__).parent
TEMPLATES = WEB / "templates"
STATIC = WEB / "static"
DEFAULT_VENDOR = Path(__file__).resolve().parents[3] / "web" / "node_modules"
PAGE_PATHS = ("/", "/sessions/")
"""Pages that send an unauthenticated browser to ``/login`` instead of answering 401."""

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _page(name: str, **context: Any) -> Template:
    return Template(template_name=name, context=context, headers=SECURITY_HEADERS)


def _who(request: Request[User, Any, Any]) -> dict[str, Any]:
    return {"username": request.user.username, "is_admin": request.user.is_admin}


class PagesController(Controller):
    """``/`` (dashboard), ``/sessions/{id}`` (timeline) and ``/login``."""

    include_in_schema = False

    @get("/", sync_to_thread=False)
    def dashboard(self, request: Request[User, Any, Any]) -> Template:
        """The dashboard (signed-in users)."""
        return _page("dashboard.html", **_who(request))

    @get("/sessions/{session_id:str}", sync_to_thread=False)
    def session(
        self,
        request: Request[User, Any, Any],
        session_id: Annotated[str, PathParameter(max_length=200)],
    ) -> Template:
        """One session's timeline."""
        return _page("session.html", session_id=session_id, **_who(request))

    @get("/login", sync_to_thread=False)
    def login(self) -> Template:
        """The sign-in form."""
        return _page("login.html")


def asset_routers(vendor: Path | None) -> list[Router]:
    """``/static`` (the dashboard's own files) and ``/vendor/uplot`` (the npm package)."""
    uplot = (vendor or DEFAULT_VENDOR) / "uplot" / "dist"
    return [
        create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False),
        create_static_files_router(
            path="/vendor/uplot", directories=[uplot], include_in_schema=False
        ),
    ]
