"""Sending events again: outbox rows (as a producer) and dead letters (as a consumer)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update

from shared import db
from shared.models import DeadLetter, OutboxEvent, utcnow
from shared.outbox.relay import _publishers, relay_pending


def replay_outbox(service: str, *, event_ids: list[uuid.UUID] | None = None,
                  since: datetime | None = None, until: datetime | None = None) -> tuple[int, int]:
    """Mark matching outbox rows pending again (dead ones too) and relay them now."""
    with db.session_scope(service) as session:
        query = update(OutboxEvent).values(status="pending", attempts=0, next_attempt_at=utcnow(),
                                           last_error=None)
        if event_ids:
            query = query.where(OutboxEvent.event_id.in_(event_ids))
        if since:
            query = query.where(OutboxEvent.occurred_at >= since)
        if until:
            query = query.where(OutboxEvent.occurred_at < until)
        marked = session.execute(query).rowcount
    sent = 0
    while True:
        result = relay_pending(service)
        sent += result.sent
        if not result.sent or result.failed or result.dead:
            break
    return marked, sent


def replay_dead_letters(service: str, *, event_ids: list[uuid.UUID] | None = None) -> int:
    """Send each unreplayed dead letter back to this service's consume task."""
    publish = _publishers[service]
    count = 0
    with db.session_scope(service) as session:
        query = select(DeadLetter).where(DeadLetter.replayed_at.is_(None)).order_by(DeadLetter.id)
        if event_ids:
            query = query.where(DeadLetter.event_id.in_(event_ids))
        seen: set[str] = set()
        for letter in session.scalars(query):
            key = str(letter.event_id)
            if key not in seen:  # one envelope re-runs every handler that has not yet succeeded
                publish(service, letter.envelope)
                seen.add(key)
            letter.replayed_at = utcnow()
            count += 1
    return count
