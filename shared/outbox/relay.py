"""The relay: outbox rows → one Celery task per subscriber queue.

Two paths share `relay_pending`:
- the nudge: right after a commit that added events, the same process relays
  exactly those rows (low latency, no extra hop);
- the sweep: a periodic task relays whatever is still pending (the nudge failed,
  Redis was down, the process died between commit and nudge).

On PostgreSQL rows are claimed with FOR UPDATE SKIP LOCKED so concurrent relays
never send the same row; on SQLite every transaction is BEGIN IMMEDIATE (see
`shared.db`), which serialises them. A row that fails backs off exponentially
and is marked dead after `OUTBOX_MAX_ATTEMPTS`; `bookcross events replay`
brings dead rows back. If a publish succeeds but the commit after it fails, the
row is sent again later: consumers are idempotent, so that is harmless.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable, Iterable

import structlog
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import config, db
from shared.bus.subscriptions import subscribers_of
from shared.models import OutboxEvent, utcnow
from shared.outbox.writer import PENDING_KEY

log = structlog.get_logger("bookcross.relay")

# publish(subscriber, envelope) — raises if the broker did not take the message.
Publisher = Callable[[str, dict], None]
_publishers: dict[str, Publisher] = {}


def set_publisher(service: str, publisher: Publisher | None) -> None:
    """Register how this process publishes for `service`; enables the after-commit nudge."""
    if publisher is None:
        _publishers.pop(service, None)
    else:
        _publishers[service] = publisher


@dataclass
class RelayResult:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    event_ids: list[str] = field(default_factory=list)


def backoff_seconds(attempts: int, cap: float) -> float:
    return min(cap, 0.5 * (2 ** max(0, attempts - 1)))


def relay_pending(service: str, publisher: Publisher | None = None, *,
                  event_ids: Iterable[uuid.UUID] | None = None,
                  limit: int | None = None) -> RelayResult:
    settings = config.bus_settings()
    publisher = publisher or _publishers.get(service)
    if publisher is None:
        raise RuntimeError(f"no publisher registered for {service}")
    result = RelayResult()
    now = utcnow()
    with db.session_scope(service) as session:
        query = (select(OutboxEvent)
                 .where(OutboxEvent.status == "pending", OutboxEvent.next_attempt_at <= now)
                 .order_by(OutboxEvent.id)
                 .limit(limit or settings.relay_batch))
        if event_ids is not None:
            query = query.where(OutboxEvent.event_id.in_(list(event_ids)))
        if not db.is_sqlite(session.get_bind()):
            query = query.with_for_update(skip_locked=True)
        rows = session.scalars(query).all()
        for row in rows:
            row.attempts += 1
            try:
                for subscriber in subscribers_of(row.event_type):
                    publisher(subscriber, row.envelope)
            except Exception as exc:  # the broker refused or is unreachable
                row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if row.attempts >= settings.relay_max_attempts:
                    row.status = "dead"
                    result.dead += 1
                else:
                    row.next_attempt_at = now + timedelta(
                        seconds=backoff_seconds(row.attempts, settings.relay_max_backoff))
                    result.failed += 1
                log.warning("outbox.publish_failed", event_id=str(row.event_id),
                            event_type=row.event_type, attempts=row.attempts, error=row.last_error)
                # The broker is most likely down: leave the rest of the batch for later,
                # untouched, rather than wait out a timeout for each of them.
                break
            else:
                row.status = "sent"
                row.sent_at = utcnow()
                row.last_error = None
                result.sent += 1
                result.event_ids.append(str(row.event_id))
    return result


# After a failed publish the nudge rests this long: while Redis is away, requests should
# not each wait to find that out again. The periodic sweep is not affected.
NUDGE_REST_SECONDS = 5.0
_nudge_resting_until: dict[str, float] = {}


def _nudge_after_commit(session: Session) -> None:
    ids = session.info.pop(PENDING_KEY, None)
    service = session.info.get("service")
    if not ids or not service or service not in _publishers:
        return
    if time.monotonic() < _nudge_resting_until.get(service, 0.0):
        return
    try:
        result = relay_pending(service, event_ids=ids)
    except Exception as exc:  # never fail the caller: the sweep will send it
        result = None
        log.warning("outbox.nudge_failed", service=service, error=str(exc))
    if result is None or result.failed or result.dead:
        _nudge_resting_until[service] = time.monotonic() + NUDGE_REST_SECONDS


def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


sa_event.listen(Session, "after_commit", _nudge_after_commit)
sa_event.listen(Session, "after_soft_rollback", lambda session, _tx: _forget_after_rollback(session))
