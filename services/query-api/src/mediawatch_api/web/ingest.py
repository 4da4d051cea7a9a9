"""``POST /api/v1/events``: pipelines in any language append stage events over HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, post
from litestar.exceptions import HTTPException
from litestar.params import Body

from mediawatch_api.ingest import INGESTIBLE, InvalidEventError, parse_batch
from mediawatch_api.ingest.json_schema import event_schemas
from mediawatch_api.users import User
from mediawatch_api.web.auth import producers_and_admins
from mediawatch_api.web.errors import error_responses
from mediawatch_api.web.services import ServicesDep
from mediawatch_common.avro import SchemaRegistry
from mediawatch_common.events import Producer
from mediawatch_common.kafka import DeliveryError

MAX_EVENTS = 500
MAX_BODY_BYTES = 1024 * 1024


@dataclass
class EventBatch:
    """Up to 500 events in the contract's JSON form."""

    events: list[dict[str, Any]]


@dataclass
class EventsAccepted:
    """The ids appended to the event log, and those already appended lately (skipped)."""

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
        naming its index and field; nothing is appended. An ``event_id`` this API accepted
        lately is skipped and listed under ``duplicates``.
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
        fresh, duplicates, batch_ids = [], [], set()
        for item in parsed:
            event_id = str(item.event.event_id)
            if event_id in batch_ids or services.ingested.seen(event_id):
                duplicates.append(event_id)
                continue
            batch_ids.add(event_id)
            topic = getattr(services.events.topics, item.role).name
            fresh.append((topic, item.key, item.event))
        try:
            services.events.append_many(fresh)
        except DeliveryError:
            raise HTTPException(
                status_code=503, detail="event log unavailable; try again"
            ) from None
        accepted = [str(event.event_id) for _, _, event in fresh]
        services.ingested.add(accepted)
        return EventsAccepted(accepted=accepted, duplicates=duplicates)
