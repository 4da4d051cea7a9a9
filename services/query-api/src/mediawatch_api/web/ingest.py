"""``POST /api/v1/events``: pipelines in any language append stage events over HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, post
from litestar.exceptions import HTTPException
from litestar.params import Body

from mediawatch_api.ingest import (
    INGESTIBLE,
    ClaimStoreError,
    InvalidEventError,
    NotAppendedError,
    parse_batch,
)
from mediawatch_api.ingest.json_schema import event_schemas
from mediawatch_api.users import User
from mediawatch_api.web.auth import producers_and_admins
from mediawatch_api.web.errors import error_responses
from mediawatch_api.web.services import ServicesDep
from mediawatch_common.avro import SchemaRegistry
from mediawatch_common.events import Producer

MAX_EVENTS = 500
MAX_BODY_BYTES = 1024 * 1024


@dataclass
class EventBatch:
    """Up to 500 events in the contract's JSON form."""

    events: list[dict[str, Any]]


@dataclass
class EventsAccepted:
    """Every distinct ``event_id`` of the batch, each now on the event log once, and those of
    them this request did not append again: sent in an earlier request, or twice in this one.
    """

    accepted: list[str]
    duplicates: list[str]


def _body_schema() -> dict[str, Any]:
    items = event_schemas(SchemaRegistry(), list(INGESTIBLE))
    return {
        "properties": {
            "events": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_EVENTS,
                "items": {"oneOf": items},
            }
        }
    }


class IngestController(Controller):
    """Events from pipelines that do not use the Python client (producer or admin role)."""

    path = "/api/v1/events"
    tags = ("ingest",)
    guards = (producers_and_admins,)

    @post(
        "/",
        status_code=202,
        sync_to_thread=True,
        request_max_body_size=MAX_BODY_BYTES,
        opt={"producer": True},
        summary="Append events to the event log",
        responses=error_responses("producer", body=True, also=[422, 503]),
    )
    def append(
        self,
        request: Request[User, Any, Any],
        services: ServicesDep,
        data: Annotated[EventBatch, Body(schema_extra=_body_schema())],
    ) -> EventsAccepted:
        """Checks every event against its schema, then appends them all, in order.

        StageStarted and StageCompleted go to the pipeline topic keyed by session,
        ResourceSample to the resources topic keyed by host, CustomAlertReported to the
        alerts topic keyed by alert type. One wrong event refuses the whole batch with 422
        naming its index and field; nothing is appended. An ``event_id`` already appended
        (through any API instance, within API_INGEST_DEDUPE_RETENTION_HOURS) is not appended
        again: it is listed under ``accepted`` and ``duplicates``. 503: some events are not
        on the event log (yet); resend the whole batch.
        """
        if not data.events or len(data.events) > MAX_EVENTS:
            raise HTTPException(status_code=413, detail=f"send 1 to {MAX_EVENTS} events")
        caller = Producer(
            service=request.user.username,
            host=request.client.host if request.client else "unknown",
            pid=0,
        )
        try:
            parsed = parse_batch(data.events, services.codec.registry, caller, services.clock())
        except InvalidEventError as exc:
            raise HTTPException(
                status_code=422,
                detail=str(exc),
                extra={"index": exc.index, "field": exc.field, "reason": exc.detail},
            ) from None
        topics = services.events.topics
        outgoing = [(getattr(topics, p.role).name, p.key, p.event) for p in parsed]
        try:
            appended = services.ingest.append(outgoing)
        except (NotAppendedError, ClaimStoreError):
            raise HTTPException(
                status_code=503,
                detail="event log unavailable; try again",
                headers={"Retry-After": "5"},
            ) from None
        return EventsAccepted(accepted=appended.accepted, duplicates=appended.duplicates)
