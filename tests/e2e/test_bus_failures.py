"""Nothing lost, nothing twice: kill workers, restart Redis, break a handler — on real processes.

Run alone with: .venv/bin/python -m pytest tests/e2e/test_bus_failures.py -s  (-s shows timings)
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from sqlalchemy import func, select

from services.catalog.models import IncomingDonation
from services.donations.schemas import DonationIn
from shared import db
from shared.bus.settings import VISIBILITY_TIMEOUT
from shared.models import DeadLetter, OutboxEvent, ProcessedEvent
from shared.testing import wait_for
from shared.testing.network import stays
from shared.testing.tcpproxy import TcpProxy
from tests.samples import offer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CONSUMER = "catalog.on_donation_offered"


@pytest.fixture(scope="module")
def catalog_database(e2e_env):
    """The catalog worker reaches its database through a proxy the tests can cut (the test
    process itself reads it directly, to check effects while it is away)."""
    from sqlalchemy.engine import make_url

    url = make_url(e2e_env["CATALOG_DATABASE_URL"])
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        proxy.url = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        yield proxy


@pytest.fixture(scope="module")
def network_env(e2e_env, catalog_database):
    return dict(e2e_env, CATALOG_DATABASE_URL=catalog_database.url)


def make_offer() -> tuple[uuid.UUID, uuid.UUID]:
    """A real offer through the use case; returns (donation id, its donation_offered event id)."""
    import services.donations.tasks  # noqa: F401  (the after-commit nudge publishes)
    from services.donations.services import offer_donation

    donation = offer_donation(DonationIn().load(offer())).donation
    with db.session_scope("donations") as session:
        event_id = session.scalar(select(OutboxEvent.event_id).where(
            OutboxEvent.event_type == "donations.donation_offered",
            OutboxEvent.envelope["payload"]["donation_id"].as_string() == str(donation.id)))
    return donation.id, event_id


def handled(event_id, consumer=CONSUMER) -> int:
    with db.session_scope("catalog") as session:
        return session.scalar(select(func.count()).select_from(ProcessedEvent).where(
            ProcessedEvent.event_id == event_id, ProcessedEvent.consumer == consumer))


def incoming(donation_id) -> int:
    with db.session_scope("catalog") as session:
        return session.scalar(select(func.count()).select_from(IncomingDonation).where(
            IncomingDonation.donation_id == donation_id))


def runs(control, event_id) -> list[int]:
    return [int(r.split("|")[1]) for r in control.lrange("test:runs", 0, -1)
            if r.split("|")[0] == str(event_id)]


def test_killed_pool_child_mid_handler_loses_nothing(network, control):
    control.set("test:delay", 3)
    donation_id, event_id = make_offer()
    pid = wait_for(lambda: runs(control, event_id), timeout=20, message="handler started")[0]
    assert pid in network.pool_children("catalog")
    killed_at = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    control.delete("test:delay")
    wait_for(lambda: handled(event_id), timeout=60, message="redelivered and handled")
    print(f"\npool child SIGKILLed mid-handler: handled again after {time.monotonic() - killed_at:.1f}s")
    assert handled(event_id) == 1 and incoming(donation_id) == 1
    assert len(runs(control, event_id)) == 2


def test_killed_worker_mid_handler_loses_nothing(network, control):
    control.set("test:delay", 3)
    donation_id, event_id = make_offer()
    wait_for(lambda: runs(control, event_id), timeout=20, message="handler started")
    killed_at = time.monotonic()
    network.worker("catalog").kill_group(signal.SIGKILL)  # the whole worker, pool and all
    control.delete("test:delay")
    network.start_worker("catalog")
    network.wait_worker_ready("catalog")
    wait_for(lambda: handled(event_id), timeout=VISIBILITY_TIMEOUT + 45, message="redelivered")
    print(f"\nwhole worker SIGKILLed mid-handler: handled after {time.monotonic() - killed_at:.1f}s "
          f"(visibility timeout {VISIBILITY_TIMEOUT}s)")
    assert handled(event_id) == 1 and incoming(donation_id) == 1
    assert len(runs(control, event_id)) == 2


def test_healthy_slow_tasks_are_never_run_twice(network, control):
    """Tasks as slow as a healthy handler may be, queued behind each other: each runs once,
    even after the visibility timeout has passed for all of them."""
    control.set("test:delay", 3.5)
    events = [make_offer()[1] for _ in range(6)]
    wait_for(lambda: all(handled(e) for e in events), timeout=60, message="all handled")
    control.delete("test:delay")
    assert stays(lambda: all(len(runs(control, e)) == 1 for e in events), VISIBILITY_TIMEOUT + 3)


def test_events_written_while_redis_is_down_are_delivered_once_it_is_back(network, control,
                                                                            redis_server):
    redis_server.stop()
    try:
        started = time.monotonic()
        offers = [make_offer() for _ in range(5)]
        print(f"\n5 offers accepted with Redis down in {time.monotonic() - started:.2f}s")
        with db.session_scope("donations") as session:
            pending = session.scalar(select(func.count()).select_from(OutboxEvent)
                                     .where(OutboxEvent.status == "pending"))
        assert pending == 10  # contact + offered, for each
    finally:
        redis_server.start()
    back = time.monotonic()
    wait_for(lambda: all(handled(e) for _, e in offers), timeout=90, message="delivered after restart")
    print(f"delivered {time.monotonic() - back:.1f}s after Redis came back")
    assert all(handled(e) == 1 and incoming(d) == 1 for d, e in offers)
    with db.session_scope("notifications") as session:
        wait_for(lambda: _notifications_handled(offers) == 10, timeout=30, message="notifications")


def _notifications_handled(offers) -> int:
    with db.session_scope("notifications") as session:
        from services.notifications.models import Contact, Notice

        ids = [d for d, _ in offers]
        return (session.scalar(select(func.count()).select_from(Contact).where(Contact.donation_id.in_(ids)))
                + session.scalar(select(func.count()).select_from(Notice).where(Notice.donation_id.in_(ids))))


def test_failing_handler_retries_then_dead_letters_and_replay_delivers(network, control):
    control.set("test:fail", "1")
    donation_id, event_id = make_offer()
    wait_for(lambda: _dead_letters(event_id), timeout=60, message="dead letter")
    assert len(runs(control, event_id)) == 1 + 3  # first try and CONSUMER_MAX_RETRIES retries
    assert handled(event_id) == 0 and incoming(donation_id) == 0

    control.delete("test:fail")
    replay = subprocess.run([sys.executable, "-m", "shared.cli", "events", "replay",
                             "--service", "catalog", "--dead-letters"],
                            env=network.env, capture_output=True, text=True, timeout=60)
    assert replay.returncode == 0, replay.stderr
    assert "1 dead letters sent again" in replay.stdout
    wait_for(lambda: handled(event_id), timeout=30, message="handled after replay")
    assert incoming(donation_id) == 1
    # Replaying the outbox event too is harmless: the consumer absorbs the duplicate.
    subprocess.run([sys.executable, "-m", "shared.cli", "events", "replay", "--service", "donations",
                    "--event-id", str(event_id)], env=network.env, check=True, capture_output=True,
                   timeout=60)
    assert stays(lambda: handled(event_id) == 1 and incoming(donation_id) == 1, 3)


def _dead_letters(event_id) -> int:
    with db.session_scope("catalog") as session:
        return session.scalar(select(func.count()).select_from(DeadLetter).where(
            DeadLetter.event_id == event_id))


def test_a_handler_killed_at_the_hard_time_limit_is_run_again(network, control):
    """Celery acknowledges a task killed at its hard time limit unless told otherwise; its
    transaction rolled back, so the event would be lost for that consumer."""
    from shared.bus.settings import TASK_TIME_LIMIT

    control.set("test:overrun", TASK_TIME_LIMIT + 3)
    donation_id, event_id = make_offer()
    wait_for(lambda: handled(event_id), timeout=60, message="handled after the overrun")
    assert handled(event_id) == 1 and incoming(donation_id) == 1
    assert len(runs(control, event_id)) == 2 and _dead_letters(event_id) == 0


def test_a_database_away_longer_than_every_retry_loses_nothing(network, control, catalog_database):
    """The consumer's database refuses connections for longer than its retries last
    (CONSUMER_MAX_RETRIES=3 here: a few seconds): the event waits for it, it is neither lost
    nor dead-lettered, and it has one effect."""
    catalog_database.refuse()
    try:
        offers = [make_offer() for _ in range(3)]
        # Well past the retry budget: before, the event was dead-lettered — or lost, because
        # the dead letter needs the same database.
        assert stays(lambda: not any(handled(e) for _, e in offers), 20)
    finally:
        catalog_database.restore()
    back = time.monotonic()
    wait_for(lambda: all(handled(e) for _, e in offers), timeout=60, message="handled once it is back")
    print(f"\ncatalog's database away 20 s: every event handled {time.monotonic() - back:.1f}s after it came back")
    assert all(handled(e) == 1 and incoming(d) == 1 and _dead_letters(e) == 0 for d, e in offers)


def test_redis_killed_mid_stream_and_restarted_from_its_append_only_file(network, control, redis_server):
    """SIGKILL, not a clean shutdown: messages queued and unacknowledged come back from the AOF
    (appendfsync everysec: what Redis acknowledged is in the file; only an OS crash could lose
    the last second); events committed meanwhile wait in the outbox. Each is handled once."""
    control.set("test:delay", 1)
    before = [make_offer() for _ in range(4)]
    redis_server.stop(kill=True)
    try:
        during = [make_offer() for _ in range(3)]
    finally:
        redis_server.start()
        control.delete("test:delay")
    offers = before + during
    wait_for(lambda: all(handled(e) for _, e in offers), timeout=90, message="every event handled")
    assert all(handled(e) == 1 and incoming(d) == 1 for d, e in offers)


def test_redis_frozen_is_waited_out(network, control, redis_server):
    """SIGSTOP: connections hang instead of being refused. Offers are still accepted at once
    (the relay publishes off the request), and everything moves on when Redis wakes."""
    redis_server.process.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        offers = [make_offer() for _ in range(3)]
        accepted_in = time.monotonic() - started
        time.sleep(6)
    finally:
        redis_server.process.send_signal(signal.SIGCONT)
    assert accepted_in < 3, f"offers took {accepted_in:.1f}s with Redis frozen"
    wait_for(lambda: all(handled(e) for _, e in offers), timeout=90, message="handled after the freeze")
    assert all(handled(e) == 1 and incoming(d) == 1 for d, e in offers)
