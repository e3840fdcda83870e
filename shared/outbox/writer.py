"""Adding an event to the outbox, in the caller's transaction."""
from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.orm import Session

from shared import db
from shared.bus.subscriptions import subscribers_of
from shared.events import Event, make_event
from shared.models import OutboxEvent, utcnow

PENDING_KEY = "outbox_new_event_ids"


def add_event(session: Session, event_type: str, payload: dict[str, Any], *,
              producer: str, correlation_id: str | None = None) -> Event:
    """Validate the payload, and add the event to the outbox of the session's database.

    Nothing is sent here: if the transaction rolls back, the event never existed.
    After commit the relay is nudged (see `shared.outbox.relay`) for events that have subscribers.
    The row is inserted at once with a prepared statement, not left to the ORM's flush: for a
    use case whose only write is its event, the unit of work cost more than the insert.
    """
    event, row = _outbox_row(session, event_type, payload, producer=producer, correlation_id=correlation_id)
    session.execute(db.insert_statement(OutboxEvent.__table__), row)
    return event


def insert_events(session: Session, events: list[tuple[str, dict[str, Any]]], *, producer: str) -> list[Event]:
    """`add_event` for several events at once: their rows go in with one statement."""
    made, rows = [], []
    for event_type, payload in events:
        event, row = _outbox_row(session, event_type, payload, producer=producer)
        made.append(event)
        rows.append(row)
    session.execute(db.insert_statement(OutboxEvent.__table__), rows)
    return made


def _outbox_row(session: Session, event_type: str, payload: dict[str, Any], *,
               producer: str, correlation_id: str | None = None) -> tuple[Event, dict[str, Any]]:
    """The validated event and its outbox row's values; a heard event's id is noted for the
    after-commit nudge."""
    if correlation_id is None:
        correlation_id = structlog.contextvars.get_contextvars().get("correlation_id")
    event = make_event(event_type, payload, producer=producer, correlation_id=correlation_id)
    # An event nobody subscribes to (yet) is kept for the record and is sent as it is written:
    # there is nothing to relay (`bookcross events replay` sends it to a subscriber added later).
    heard = bool(subscribers_of(event.type))
    now = utcnow()
    if heard:
        session.info.setdefault(PENDING_KEY, []).append(event.event_id)
    return event, {
        "event_id": event.event_id,
        "event_type": event.type,
        "version": event.version,
        "envelope": event.to_wire(),
        "occurred_at": event.occurred_at,
        "status": "pending" if heard else "sent",
        "sent_at": None if heard else now,
        "attempts": 0,
        "next_attempt_at": now,
    }
