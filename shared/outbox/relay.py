"""The relay: outbox rows → one Celery task per subscriber queue.

Three paths share `relay_pending`:
- the nudge: right after a commit that added events, a relay thread of the same
  process relays exactly those rows (low latency, no extra hop, batched under load);
- the hand-over: a web server's processes (`relay_in_workers()`, in each wsgi module) do not
  relay; their nudge thread only signals the service's workers (one Redis PUBLISH for whatever
  it holds), whose listener (`shared.outbox.listener`) relays every due row, a batch per claim.
  The web answers people; relaying runs at the workers' lower priority. With no worker
  listening (PUBLISH reached nobody) the web process relays the rows itself, as a nudge;
- the sweep: a periodic task relays whatever is still pending (the nudge failed,
  Redis was down, the process died between commit and nudge).

Claiming differs by database, because publishing can hang (a frozen Redis holds a
publish for the socket timeout):
- PostgreSQL: rows are claimed with FOR UPDATE SKIP LOCKED, published, and the outcome
  recorded in one transaction; concurrent relays skip the locked rows, and nobody else
  ever writes them, so holding them while publishing blocks no one.
- SQLite: a transaction holds the whole database's write lock, so the claim is its own
  short transaction that marks the rows `sending` with a lease (CLAIM_LEASE); they are
  published with no transaction open and the outcome is recorded in a second one. Rows of
  a relay that died meanwhile are due again when their lease runs out.
A broker that is away (refused, reset, timed out) is not the event's fault: the row goes
back to `pending` with its attempt uncounted, and the rows after it untried. Any other
publish failure counts; the row backs off exponentially and is `dead` after
`OUTBOX_MAX_ATTEMPTS` (`bookcross events replay` brings it back). If a publish succeeds but
recording it fails, the row is sent again later: consumers are idempotent.
"""
from __future__ import annotations

import functools
import os
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Iterable

import redis
import structlog
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import bindparam, func, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from shared import config, db
from shared.bus.failures import broker_unavailable
from shared.bus.subscriptions import subscribers_of
from shared.models import OutboxEvent, utcnow
from shared.outbox.writer import PENDING_KEY

log = structlog.get_logger("bookcross.relay")

# publish(subscriber, envelope) — raises if the broker did not take the message. A publisher
# may also offer `publish.batch()`: a context manager yielding such a function whose messages are
# written to the broker together when the block ends (raising there if they were not).
Publisher = Callable[[str, dict], None]
_publishers: dict[str, Publisher] = {}

# SQLite only: how long a claimed row is left to its relay before another may take it.
CLAIM_LEASE = timedelta(seconds=30)


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
    broker_unavailable: bool = False
    event_ids: list[str] = field(default_factory=list)


def backoff_seconds(attempts: int, cap: float) -> float:
    return min(cap, 0.5 * (2 ** max(0, attempts - 1)))


def relay_pending(service: str, publisher: Publisher | None = None, *,
                  event_ids: Iterable[uuid.UUID] | None = None,
                  limit: int | None = None) -> RelayResult:
    """Claim due rows, publish each to its subscribers, and record the outcome."""
    publisher = publisher or _publishers.get(service)
    if publisher is None:
        raise RuntimeError(f"no publisher registered for {service}")
    result = RelayResult()
    now = utcnow()
    ids = list(event_ids) if event_ids is not None else None
    engine = db.engine_for(service)  # Core connections: the relay needs no ORM session
    if db.is_sqlite(engine):
        with engine.begin() as connection:
            claimed = _claim(connection, now, ids, limit, status="sending", until=now + CLAIM_LEASE)
        if not claimed:
            return result
        outcome = _publish(claimed, publisher)
        with engine.begin() as connection:
            sent = [row.id for row in outcome.sent]
            if sent:
                connection.execute(update(OutboxEvent.__table__).where(
                    OutboxEvent.__table__.c.id.in_(sent), OutboxEvent.__table__.c.status == "sending")
                    .values(status="sent", sent_at=now))
            _record_failure(connection, outcome, now, result)
    else:
        with engine.begin() as connection:
            # The claim turns synchronous_commit off for this transaction (see
            # `_claim_statement`): losing it in a crash only means sending these events again.
            claimed = _claim(connection, now, ids, limit, status="sent", until=now)
            outcome = _publish(claimed, publisher)
            _record_failure(connection, outcome, now, result)
    result.sent = len(outcome.sent)
    result.event_ids = [str(row.event_id) for row in outcome.sent]
    return result


def resend_after_broker_restart(service: str, client) -> int:
    """Redis hands a message to a worker (BRPOP) before the worker records it as unacknowledged
    (a second command: kombu's `QoS.append`). A Redis killed between the two loses that message:
    it is neither in the queue nor among the unacknowledged ones its restart restores. So when
    the broker is found restarted (its run_id changed since this service last looked), every
    event this service sent in the last BUS_RESEND_AFTER_RESTART_SECONDS (600) goes out again;
    the consumers are idempotent, so those that had arrived are absorbed. The run_id is kept in
    Redis itself (restored from its append-only file) and swapped atomically: one sweep of the
    service resends. Returns how many events were put back."""
    run_id = client.info("server")["run_id"]
    before = client.set(f"bookcross:broker:run_id:{service}", run_id, get=True)
    if isinstance(before, bytes):
        before = before.decode()
    if before is None or before == run_id:
        return 0  # first look (nothing to compare), or the same broker
    now = utcnow()
    since = now - timedelta(seconds=config.env_float("BUS_RESEND_AFTER_RESTART_SECONDS", 600))
    table = OutboxEvent.__table__
    with db.session_scope(service) as session:
        resent = session.execute(update(table).where(table.c.status == "sent", table.c.sent_at >= since)
                                 .values(status="pending", next_attempt_at=now)).rowcount
    log.warning("outbox.resent_after_broker_restart", service=service, events=resent)
    return resent


def _claim(connection: Connection, now: datetime, event_ids: list | None, limit: int | None, *,
           status: str, until: datetime) -> list:
    """Mark due rows as taken (`status`) and count the attempt; one UPDATE … RETURNING."""
    nudge = event_ids is not None
    statement = _claim_statement(nudge, db.is_sqlite(connection.engine))
    params = {"b_status": status, "b_now": now, "b_until": until}
    if nudge:
        params["b_ids"] = event_ids
    else:
        params["b_limit"] = limit or config.bus_settings().relay_batch
    return sorted(connection.execute(statement, params).all())


@functools.cache
def _claim_statement(nudge: bool, sqlite: bool):
    """The claim, built once (and so compiled once) for each kind and database."""
    table = OutboxEvent.__table__
    claim = update(table).values(status=bindparam("b_status"), sent_at=bindparam("b_now"),
                                 next_attempt_at=bindparam("b_until"), attempts=table.c.attempts + 1,
                                 last_error=None)
    if nudge:
        # The nudge: exactly these rows. If a sweep holds one, this waits for it and
        # then finds it no longer pending.
        claim = claim.where(table.c.event_id.in_(bindparam("b_ids", expanding=True)), table.c.status == "pending")
    else:
        # Pending rows that are due, and (SQLite) rows whose relay's lease ran out.
        due = (select(table.c.id)
               .where(table.c.status.in_(("pending", "sending")), table.c.next_attempt_at <= bindparam("b_now"))
               .order_by(table.c.id)
               .limit(bindparam("b_limit")))
        if not sqlite:
            due = due.with_for_update(skip_locked=True)
        claim = claim.where(table.c.id.in_(due.scalar_subquery()))
    if not sqlite:
        # Losing this transaction in a crash only means sending its events again, which the
        # consumers absorb; so its commit need not wait for the WAL flush. Said inside the claim
        # (an uncorrelated condition: evaluated once, before any row) rather than by a `SET
        # LOCAL` of its own, which cost a round trip and a third of a one-event relay's CPU.
        claim = claim.where(select(func.set_config("synchronous_commit", "off", True)).scalar_subquery() == "off")
    return claim.returning(table.c.id, table.c.event_id, table.c.event_type, table.c.envelope, table.c.attempts)


@dataclass
class _Published:
    sent: list
    failed: object = None          # the row whose publish raised
    error: BaseException | None = None
    untried: list = field(default_factory=list)


def _publish(claimed: list, publisher: Publisher) -> _Published:
    batch = getattr(publisher, "batch", None)
    if batch is not None and len(claimed) > 0:
        return _publish_batch(claimed, batch)
    outcome = _Published(sent=[])
    for index, row in enumerate(claimed):
        try:
            for subscriber in subscribers_of(row.event_type):
                publisher(subscriber, row.envelope)
        except Exception as exc:
            # The broker is most likely down: leave the rest untried rather than wait out a
            # timeout for each of them.
            outcome.failed, outcome.error, outcome.untried = row, exc, claimed[index + 1:]
            break
        outcome.sent.append(row)
    return outcome


def _publish_batch(claimed: list, batch) -> _Published:
    """Every message of the claimed rows written to the broker in one round trip (`batch()`
    yields a send function whose messages go out when its block ends). Nothing is known to be
    sent until then: if a message cannot even be made, or the round trip fails, no row counts
    as sent — the one that failed counts an attempt, the rest go back untried (any that reached
    the broker are sent again later, and consumers absorb the repeat)."""
    failed = None
    try:
        with batch() as send:
            for row in claimed:
                failed = row
                for subscriber in subscribers_of(row.event_type):
                    send(subscriber, row.envelope)
            failed = claimed[0]  # from here on, only the round trip itself can fail
    except Exception as exc:
        return _Published(sent=[], failed=failed, error=exc, untried=[r for r in claimed if r is not failed])
    return _Published(sent=list(claimed))


def _record_failure(connection: Connection, outcome: _Published, now: datetime, result: RelayResult) -> None:
    if outcome.failed is None:
        return
    table = OutboxEvent.__table__
    settings = config.bus_settings()
    row, exc = outcome.failed, outcome.error
    error = f"{type(exc).__name__}: {exc}"[:2000]
    put_back = [r.id for r in outcome.untried]
    if broker_unavailable(exc):
        # Not the event's fault: its attempt is not counted, and it is due again at once
        # (the sweep's period and the nudge's rest pace the next try).
        result.broker_unavailable = True
        put_back.append(row.id)
    elif row.attempts >= settings.relay_max_attempts:
        connection.execute(update(table).where(table.c.id == row.id).values(
            status="dead", sent_at=None, last_error=error))
        result.dead += 1
    else:
        delay = backoff_seconds(row.attempts, settings.relay_max_backoff)
        connection.execute(update(table).where(table.c.id == row.id).values(
            status="pending", sent_at=None, last_error=error,
            next_attempt_at=now + timedelta(seconds=delay)))
        result.failed += 1
    if put_back:
        connection.execute(update(table).where(table.c.id.in_(put_back)).values(
            status="pending", sent_at=None, next_attempt_at=now, attempts=table.c.attempts - 1))
        if row.id in put_back:
            connection.execute(update(table).where(table.c.id == row.id).values(last_error=error))
    log.warning("outbox.publish_failed", event_id=str(row.event_id), event_type=row.event_type,
                attempts=row.attempts, broker_unavailable=result.broker_unavailable, error=error)


# After a failed publish the nudge rests this long: while Redis is away, it should not
# try again for every event. The periodic sweep is not affected.
NUDGE_REST_SECONDS = 5.0
NUDGE_BATCH = 500


class _NudgeThread:
    """One per process and service: relays the events its process just committed.

    The committing request or handler only hands over the ids and goes on; the thread
    claims and publishes whatever has accumulated, so a burst costs one claim per
    batch. Ids still queued when the process dies are sent by the sweep instead.
    """

    def __init__(self, service: str):
        self.service = service
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.resting_until = 0.0
        self.outstanding = 0  # ids handed over and not yet relayed (or given up on)
        self.done = threading.Condition()
        self.thread = threading.Thread(target=self._run, name=f"outbox-nudge-{service}", daemon=True)
        self.thread.start()

    def submit(self, ids: list[uuid.UUID]) -> None:
        with self.done:
            self.outstanding += len(ids)
        self.queue.put(ids)

    def wait_idle(self, timeout: float) -> bool:
        with self.done:
            return self.done.wait_for(lambda: self.outstanding == 0, timeout)

    def _run(self) -> None:
        while True:
            batch = list(self.queue.get())
            while len(batch) < NUDGE_BATCH:
                try:
                    batch.extend(self.queue.get_nowait())
                except queue.Empty:
                    break
            try:
                if time.monotonic() >= self.resting_until:
                    self._relay(batch)
            finally:  # whatever happened, these ids are no longer this thread's to send
                with self.done:
                    self.outstanding -= len(batch)
                    self.done.notify_all()

    def _relay(self, batch: list[uuid.UUID]) -> None:
        if _hand_over["workers"] and _signal_workers(self.service):
            return
        try:
            result = relay_pending(self.service, event_ids=batch, limit=len(batch))
        except Exception as exc:  # the sweep will send them
            result = None
            log.warning("outbox.nudge_failed", service=self.service, error=str(exc))
        if result is None or result.failed or result.dead or result.broker_unavailable:
            self.resting_until = time.monotonic() + NUDGE_REST_SECONDS


# Set in a web server's processes: the relaying of what they commit is the workers' job.
_hand_over = {"workers": False}
_signal_clients: dict[tuple[int, str], redis.Redis] = {}


def relay_channel(service: str) -> str:
    """The Redis channel on which `service`'s workers hear that it has new events."""
    return f"bookcross:outbox:{service}"


def relay_in_workers(on: bool = True) -> None:
    """This process (a web server's) leaves the relaying of its events to its service's workers."""
    _hand_over["workers"] = on


def _signal_workers(service: str) -> bool:
    """Tell the service's workers there are events to relay; False if none heard it (or Redis
    is away), and the caller relays them itself."""
    key = (os.getpid(), config.redis_url())
    client = _signal_clients.get(key)
    if client is None:
        client = _signal_clients[key] = redis.Redis.from_url(
            key[1], socket_connect_timeout=2, socket_timeout=2, retry=Retry(NoBackoff(), 0))
    try:
        return client.publish(relay_channel(service), "") > 0
    except redis.RedisError:
        return False


_nudgers: dict[tuple[int, str], _NudgeThread] = {}
_nudgers_lock = threading.Lock()


def _nudger(service: str) -> _NudgeThread:
    key = (os.getpid(), service)  # a forked child needs its own thread
    nudger = _nudgers.get(key)
    if nudger is None:
        with _nudgers_lock:
            nudger = _nudgers.get(key) or _nudgers.setdefault(key, _NudgeThread(service))
    return nudger


def wait_for_nudges(timeout: float = 10.0) -> bool:
    """Block until this process's nudges have been relayed (for tests and the CLI)."""
    deadline = time.monotonic() + timeout
    for (pid, _), nudger in list(_nudgers.items()):
        if pid == os.getpid() and not nudger.wait_idle(max(0.0, deadline - time.monotonic())):
            return False
    return True


def _nudge_after_commit(session: Session) -> None:
    ids = session.info.pop(PENDING_KEY, None)
    service = session.info.get("service")
    if ids and service and service in _publishers:
        _nudger(service).submit(ids)


def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


sa_event.listen(Session, "after_commit", _nudge_after_commit)
sa_event.listen(Session, "after_soft_rollback", lambda session, _tx: _forget_after_rollback(session))
