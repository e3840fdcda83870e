"""The idempotent consumer: one envelope, every handler of this service, once each.

Each handler runs in its own transaction that also inserts
`processed_events (event_id, consumer)`. A redelivered event finds that row
(or collides with it on the primary key) and is skipped with no second effect.

A consumer's name is `<service>.<name>`, the name written beside the handler in the
service's `HANDLERS` table (`services/<svc>/handlers.py`): renaming a Python function never
changes it, so events handled before a deploy are still recognised after it.

A failure is either the handler's (it counts towards the retries after which the event is
dead-lettered) or the infrastructure's — the database is down, restarting or locked — which
never counts: the event waits for the database however long that takes
(`shared.bus.failures`).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

import structlog
from billiard.exceptions import SoftTimeLimitExceeded
from marshmallow import ValidationError
from sqlalchemy.orm import Session

from shared import db
from shared.bus.failures import database_unavailable
from shared.events import UnknownEvent, load_envelope
from shared.metrics import EVENTS_HANDLED
from shared.models import DeadLetter, ProcessedEvent, utcnow

log = structlog.get_logger("bookcross.consumer")

Handler = Callable[[Session, dict], Any]
# event type → {consumer name: handler}, in the order they run. The name is the idempotency
# key (with the service's prefix): stable, explicit, never derived from the function.
Handlers = dict[str, dict[str, Handler]]


class _AlreadyHandled(Exception):
    pass


@dataclass
class Outcome:
    handled: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    invalid: str | None = None
    # Every failure was the infrastructure's (the database away or locked): try again without
    # counting it against the event.
    unavailable: bool = False


def consumer_name(service: str, name: str) -> str:
    """The key in `processed_events` (and in dead letters) of the handler named `name`."""
    return f"{service}.{name}"


def handle(service: str, handlers: Handlers, envelope: dict) -> Outcome:
    outcome = Outcome()
    try:
        event = load_envelope(envelope)
    except (ValidationError, UnknownEvent) as exc:
        outcome.invalid = str(exc)
        return outcome
    structlog.contextvars.bind_contextvars(
        event_id=str(event["event_id"]), event_type=event["type"],
        correlation_id=event.get("correlation_id"))
    try:
        blamed = False  # a failure that counts against the event
        pending = list(handlers.get(event["type"], {}).items())
        while pending:
            short_name, handler = pending.pop(0)
            name = consumer_name(service, short_name)
            try:
                with db.session_scope(service) as session:
                    # The guard goes in first: a concurrent redelivery waits here for this
                    # transaction, then finds the key taken.
                    if not db.insert_ignoring_duplicates(session, ProcessedEvent.__table__, {
                            "event_id": event["event_id"], "consumer": name,
                            "handled_at": utcnow()}):
                        raise _AlreadyHandled
                    handler(session, event)
            except _AlreadyHandled:
                outcome.duplicates.append(name)
                EVENTS_HANDLED.labels(consumer=name, outcome="duplicate").inc()
                log.info("event.duplicate", consumer=name)
            except Exception as exc:
                outcome.failed[name] = f"{type(exc).__name__}: {exc}"[:2000]
                unavailable = database_unavailable(exc)
                blamed |= not unavailable
                EVENTS_HANDLED.labels(consumer=name, outcome="unavailable" if unavailable else "failed").inc()
                log.warning("event.failed", consumer=name, error=outcome.failed[name],
                            database_unavailable=unavailable)
                if unavailable or isinstance(exc, SoftTimeLimitExceeded):
                    # No database, or no time left: the other handlers would only fail the
                    # same way. They run on the next try.
                    for rest, _handler in pending:
                        outcome.failed[consumer_name(service, rest)] = "not tried: " + outcome.failed[name]
                    break
            else:
                outcome.handled.append(name)
                EVENTS_HANDLED.labels(consumer=name, outcome="handled").inc()
                # Per event, only when debugging: each handled event is recorded in
                # processed_events (with its time) anyway, and a line per event was an eighth of
                # a consumer's CPU. Failures, duplicates and dead letters are logged as they come.
                log.debug("event.handled", consumer=name)
        outcome.unavailable = bool(outcome.failed) and not blamed
    finally:
        structlog.contextvars.unbind_contextvars("event_id", "event_type", "correlation_id")
    return outcome


DEAD_LETTERED = "bus.event_dead_lettered"


def dead_letter(service: str, envelope: dict, failures: dict[str, str]) -> None:
    """After the last retry: park the envelope where staff can see and replay it."""
    from shared.outbox import add_event

    event_type = str(envelope.get("type", "?"))[:80]
    with db.session_scope(service) as session:
        for consumer, error in failures.items():
            session.add(DeadLetter(
                event_id=_event_uuid(envelope), event_type=event_type,
                consumer=consumer, envelope=envelope, error=error, failed_at=utcnow()))
        if event_type != DEAD_LETTERED:  # an alert about an alert would go round for ever
            # Staff hear of it (notifications mails the staff alerts mailbox).
            add_event(session, "bus.event_dead_lettered", {
                "service": service, "consumers": sorted(failures), "error": "; ".join(
                    f"{c}: {e}" for c, e in sorted(failures.items()))[:1000],
                "dead_event_id": str(envelope.get("event_id")), "dead_event_type": event_type},
                producer=service)
    log.error("event.dead_letter", service=service, event_id=envelope.get("event_id"),
              consumers=sorted(failures))


def _event_uuid(envelope: dict) -> uuid.UUID:
    try:
        return uuid.UUID(str(envelope.get("event_id")))
    except ValueError:  # an envelope so broken it has no id: keep it all the same
        return uuid.UUID(int=0)
