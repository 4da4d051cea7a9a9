"""Alert deliveries, acknowledgements and silences: reads and audited admin commands."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, delete, get, post
from litestar.exceptions import HTTPException
from litestar.params import Body, PathParameter, QueryParameter
from msgspec import Meta, Struct

from mediawatch_api import operator_commands, queries
from mediawatch_api.operator_commands import CommandError, MatcherInput
from mediawatch_api.users import User
from mediawatch_api.web.admin import append_events, client_of
from mediawatch_api.web.auth import admin_only
from mediawatch_api.web.choices import SilenceState
from mediawatch_api.web.errors import STORABLE_TEXT, error_responses
from mediawatch_api.web.services import ServicesDep
from mediawatch_common.events import Producer

_PRODUCER = Producer.current("query-api")
MAX_PAGE = 1000
Id = Annotated[str, PathParameter(max_length=200, pattern=STORABLE_TEXT, description="Id.")]


Text = Annotated[str, Meta(pattern=STORABLE_TEXT)]
SAYS_WHY = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"
"""A comment with something besides white space, and no NUL."""


class MatcherBody(Struct, frozen=True):
    """One matcher: a label, an operator and a value (a regular expression for ``=~``/``!~``)."""

    label: Annotated[str, Meta(pattern=operator_commands.LABEL_PATTERN)]
    op: Literal["=", "!=", "=~", "!~"]
    value: Annotated[Text, Meta(max_length=operator_commands.MAX_MATCHER_VALUE)]


class SilenceInput(Struct):
    """A new silence; ``starts_at`` (default now) plus the duration must end before 10000."""

    matchers: Annotated[
        list[MatcherBody], Meta(min_length=1, max_length=operator_commands.MAX_MATCHERS)
    ]
    duration_minutes: Annotated[int, Meta(ge=1, le=operator_commands.MAX_SILENCE_MINUTES)]
    comment: Annotated[str, Meta(min_length=1, max_length=500, pattern=SAYS_WHY)]
    starts_at: Annotated[datetime, Meta(tz=True)] | None = None


class AcknowledgeInput(Struct):
    """An acknowledgement's optional comment."""

    comment: Annotated[Text, Meta(max_length=500)] = ""


def _refused(exc: CommandError) -> HTTPException:
    return HTTPException(status_code=exc.status, detail=str(exc))


class AlertingController(Controller):
    """``/api/v1/monitoring``: deliveries per alert, acknowledgements, silences."""

    path = "/api/v1/monitoring"
    tags = ("alerting",)

    @get(
        "/alerts/{alert_id:str}/deliveries",
        sync_to_thread=True,
        summary="Alert deliveries",
        responses=error_responses("viewer", params=True),
    )
    def deliveries(self, services: ServicesDep, alert_id: Id) -> dict[str, Any]:
        """Every notification attempt (delivered or failed) that listed this alert."""
        with services.reads.connect() as conn:
            return queries.alert_deliveries(conn, alert_id, MAX_PAGE)

    @post(
        "/alerts/{alert_id:str}/acknowledge",
        guards=[admin_only],
        status_code=202,
        sync_to_thread=True,
        summary="Acknowledge a firing alert (admin)",
        responses=error_responses("admin", params=True, body=True, also=[404, 409, 503]),
    )
    def acknowledge(
        self,
        request: Request[User, Any, Any],
        services: ServicesDep,
        alert_id: Id,
        data: Annotated[AcknowledgeInput | None, Body(description="Optional comment.")] = None,
    ) -> dict[str, Any]:
        """Appends an AlertAcknowledged; the alert keeps firing until its condition clears."""
        who, now = request.user.username, services.clock()
        with services.reads.connect() as conn:
            alert = queries.find_alert(conn, alert_id)
        try:
            comment = data.comment if data else ""
            event = operator_commands.acknowledge_alert(alert, who, comment, now, _PRODUCER)
        except CommandError as exc:
            services.audit("acknowledge", "refused", who, client_of(request), {"alert": alert_id})
            raise _refused(exc) from None
        append_events(services, services.events.topics.alerts.name, [(event.fingerprint, event)])
        services.audit("acknowledge", "ok", who, client_of(request), {"alert": alert_id})
        return {"message": "Alert acknowledged", "alert_id": alert_id, "acknowledged_by": who}

    @get(
        "/silences",
        sync_to_thread=True,
        summary="Silences",
        responses=error_responses("viewer", params=True),
    )
    def silences(
        self,
        services: ServicesDep,
        silence_state: Annotated[
            SilenceState | None,
            QueryParameter(name="state", description="Only silences in this state now (any case)."),
        ] = None,
        limit: Annotated[
            int, QueryParameter(ge=1, le=MAX_PAGE, description="Most returned.")
        ] = 100,
    ) -> dict[str, Any]:
        """Silences with their matchers, times, author, comment and current state."""
        with services.reads.connect() as conn:
            return queries.list_silences(conn, silence_state, services.clock(), limit)

    @post(
        "/silences",
        guards=[admin_only],
        status_code=202,
        sync_to_thread=True,
        summary="Create a silence (admin)",
        responses=error_responses("admin", body=True, also=[503]),
    )
    def create_silence(
        self,
        request: Request[User, Any, Any],
        services: ServicesDep,
        data: Annotated[SilenceInput, Body(description="Matchers, duration and why.")],
    ) -> dict[str, Any]:
        """Appends a SilenceCreated: matching alerts are not announced while it lasts."""
        who = request.user.username
        try:
            event = operator_commands.create_silence(
                [MatcherInput(m.label, m.op, m.value) for m in data.matchers],
                data.duration_minutes,
                data.comment,
                who,
                services.clock(),
                _PRODUCER,
                data.starts_at,
            )
        except CommandError as exc:
            raise _refused(exc) from None
        append_events(services, services.events.topics.alerts.name, [(event.silence_id, event)])
        services.audit(
            "create_silence", "ok", who, client_of(request), {"silence": event.silence_id}
        )
        return {
            "message": "Silence created",
            "silence_id": event.silence_id,
            "starts_at": event.starts_at,
            "ends_at": event.ends_at,
        }

    @delete(
        "/silences/{silence_id:str}",
        guards=[admin_only],
        status_code=202,
        sync_to_thread=True,
        summary="Expire a silence now (admin)",
        responses=error_responses("admin", params=True, also=[404, 409, 503]),
    )
    def expire_silence(
        self, request: Request[User, Any, Any], services: ServicesDep, silence_id: Id
    ) -> dict[str, Any]:
        """Appends a SilenceExpired; the history of the silence is kept."""
        who, now = request.user.username, services.clock()
        with services.reads.connect() as conn:
            silence = queries.find_silence(conn, silence_id, now)
        try:
            event = operator_commands.expire_silence(silence, who, now, _PRODUCER)
        except CommandError as exc:
            raise _refused(exc) from None
        append_events(services, services.events.topics.alerts.name, [(silence_id, event)])
        services.audit("expire_silence", "ok", who, client_of(request), {"silence": silence_id})
        return {"message": "Silence expired", "silence_id": silence_id}
