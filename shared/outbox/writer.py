"""Adding an event to the outbox, in the caller's transaction."""
from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.orm import Session

from shared.events import Event, make_event
from shared.models import OutboxEvent, utcnow

PENDING_KEY = "outbox_new_event_ids"


def add_event(session: Session, event_type: str, payload: dict[str, Any], *,
              producer: str, correlation_id: str | None = None) -> Event:
    """Validate the payload, and add the event to the outbox of the session's database.

    Nothing is sent here: if the transaction rolls back, the event never existed.
    After commit the relay is nudged (see `shared.outbox.relay`).
    """
    if correlation_id is None:
        correlation_id = structlog.contextvars.get_contextvars().get("correlation_id")
    event = make_event(event_type, payload, producer=producer, correlation_id=correlation_id)
    session.add(OutboxEvent(
        event_id=event.event_id,
        event_type=event.type,
        version=event.version,
        envelope=event.to_wire(),
        occurred_at=event.occurred_at,
        status="pending",
        attempts=0,
        next_attempt_at=utcnow(),
    ))
    session.info.setdefault(PENDING_KEY, []).append(event.event_id)
    return event
