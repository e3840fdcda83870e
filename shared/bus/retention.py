"""The bus's own tables do not grow for ever.

Sent outbox rows, processed event ids and replayed dead letters older than the replay window
(BUS_RETENTION_DAYS, default 14) are deleted by a periodic task of each service. Rows that
still wait for something are kept whatever their age: pending and dead outbox rows, dead
letters nobody replayed.

Idempotency holds inside the window: a redelivery comes within seconds or minutes (the
visibility timeout), and a replay can only send outbox rows that are still kept — so a
processed id is never forgotten while its event could still come back.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from shared import config, db
from shared.models import DeadLetter, OutboxEvent, ProcessedEvent, utcnow


def retention() -> timedelta:
    return timedelta(days=config.env_float("BUS_RETENTION_DAYS", 14))


def prune_every() -> float:
    return config.env_float("BUS_PRUNE_SECONDS", 3600)


@dataclass
class Pruned:
    outbox: int
    processed: int
    dead_letters: int


def prune(service: str, now: datetime | None = None) -> Pruned:
    cutoff = (now or utcnow()) - retention()
    with db.session_scope(service) as session:
        outbox = session.execute(delete(OutboxEvent).where(
            OutboxEvent.status == "sent", OutboxEvent.occurred_at < cutoff)).rowcount
        processed = session.execute(delete(ProcessedEvent).where(
            ProcessedEvent.handled_at < cutoff)).rowcount
        letters = session.execute(delete(DeadLetter).where(
            DeadLetter.replayed_at.is_not(None), DeadLetter.replayed_at < cutoff)).rowcount
    return Pruned(outbox, processed, letters)
