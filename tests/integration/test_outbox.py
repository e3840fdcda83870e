"""The transactional outbox and its relay, on PostgreSQL and on SQLite."""
from __future__ import annotations

import json
import os
import threading
import uuid

import pytest
from kombu.exceptions import EncodeError
from kombu.exceptions import OperationalError as BrokerOperationalError
from sqlalchemy import func, select

import services.donations.services as donation_services
import services.donations.tasks  # noqa: F401  (registers the donations publisher: the nudge)
from services.donations.models import Donation
from shared import db
from shared.bus.subscriptions import SUBSCRIPTIONS, consume_task_name, subscribers_of
from shared.events import load_envelope
from shared.models import OutboxEvent
from shared.outbox import add_event, relay_pending
from shared.outbox.relay import wait_for_nudges
from shared.replay import replay_outbox
from tests.samples import offer, sample_payload


def outbox_rows(service="donations"):
    with db.session_scope(service) as session:
        return list(session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


def queued(redis_client, queue):
    return [json.loads(raw) for raw in redis_client.lrange(queue, 0, -1)]


def test_rolled_back_use_case_leaves_no_outbox_row(databases, redis_client, monkeypatch):
    original = donation_services.insert_events

    def insert_then_fail(*args, **kwargs):
        events = original(*args, **kwargs)  # both events are in the outbox table now
        assert len(events) == 2
        raise RuntimeError("the database blinked")

    monkeypatch.setattr(donation_services, "insert_events", insert_then_fail)
    with pytest.raises(RuntimeError):
        donation_services.offer_donation(_loaded(offer()))
    assert outbox_rows() == []
    with db.session_scope("donations") as session:
        assert session.scalar(select(func.count()).select_from(Donation)) == 0
    assert redis_client.llen("catalog") == 0 and redis_client.llen("notifications") == 0


def test_committed_use_case_leaves_one_valid_row_per_event(databases, redis_client):
    offered = donation_services.offer_donation(_loaded(offer()))
    rows = outbox_rows()
    assert [r.event_type for r in rows] == ["donations.donor_contact_changed",
                                            "donations.donation_offered"]
    for row in rows:
        envelope = load_envelope(row.envelope)
        assert envelope["payload"]["donation_id"] == offered.donation.id
        assert envelope["producer"] == "donations"


def test_after_commit_nudge_sends_one_task_per_subscriber(databases, redis_client):
    donation_services.offer_donation(_loaded(offer()))
    assert wait_for_nudges()
    rows = outbox_rows()
    assert {r.status for r in rows} == {"sent"}
    expected = {}
    for row in rows:
        for subscriber in subscribers_of(row.event_type):
            expected.setdefault(subscriber, []).append(f"{row.event_id}:{subscriber}")
    for subscriber, task_ids in expected.items():
        messages = queued(redis_client, subscriber)
        assert sorted(m["headers"]["id"] for m in messages) == sorted(task_ids)
        assert {m["headers"]["task"] for m in messages} == {consume_task_name(subscriber)}
    # Nothing pending: a sweep now sends nothing more.
    assert relay_pending("donations").sent == 0
    assert redis_client.llen("catalog") == 1 and redis_client.llen("notifications") == 2


@pytest.fixture
def no_nudge(monkeypatch):
    """Leave committed events pending, as if the process died right after commit."""
    monkeypatch.setattr("shared.outbox.relay._publishers", {})


def test_publish_failure_backs_off_then_marks_dead_and_replay_revives(databases, no_nudge,
                                                                       monkeypatch):
    monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "3")
    with db.session_scope("donations") as session:
        event = add_event(session, "donations.donation_collected",
                          sample_payload("donations.donation_collected"), producer="donations")

    def refused(subscriber, envelope):
        raise EncodeError("the broker refused this message")

    for attempt in range(1, 4):
        _make_due(event.event_id)
        result = relay_pending("donations", refused)
        row = outbox_rows()[0]
        assert row.attempts == attempt and "refused this message" in row.last_error
    assert row.status == "dead" and result.dead == 1

    sent = []
    monkeypatch.setattr("shared.outbox.relay._publishers",
                        {"donations": lambda sub, env: sent.append((sub, env["event_id"]))})
    marked, delivered = replay_outbox("donations", event_ids=[event.event_id])
    assert marked == 1 and delivered == 1
    assert sorted(sent) == sorted((s, str(event.event_id)) for s in subscribers_of(event.type))
    assert outbox_rows()[0].status == "sent"


def test_a_broker_that_is_away_is_not_the_events_fault(databases, no_nudge, monkeypatch):
    """However long Redis is away, no row is counted down to `dead`, and once it is back every
    event goes, oldest first."""
    monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "3")
    with db.session_scope("donations") as session:
        events = [add_event(session, "donations.donation_collected",
                            sample_payload("donations.donation_collected"), producer="donations")
                  for _ in range(3)]

    def away(subscriber, envelope):
        raise BrokerOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    for _ in range(10):
        result = relay_pending("donations", away)
        assert result.broker_unavailable and result.sent == 0 and result.dead == 0
    rows = outbox_rows()
    assert {r.status for r in rows} == {"pending"} and {r.attempts for r in rows} == {0}
    assert "Connection refused" in rows[0].last_error
    sent = []
    assert relay_pending("donations", lambda sub, env: sent.append(env["event_id"])).sent == 3
    assert list(dict.fromkeys(sent)) == [str(e.event_id) for e in events]
    assert {r.status for r in outbox_rows()} == {"sent"}


def test_the_relays_batch_goes_in_one_round_trip_and_a_broker_away_counts_against_no_row(
        databases, no_nudge, redis_client, monkeypatch):
    """The real publisher writes a claim's messages to Redis together; when Redis refuses the
    connection, none of them is taken for sent and none counts an attempt."""
    from shared.bus.publisher import install_publisher
    from shared.embedded import free_port

    with db.session_scope("donations") as session:
        events = [add_event(session, "donations.donation_offered", sample_payload("donations.donation_offered"),
                            producer="donations") for _ in range(3)]
    reachable = os.environ["REDIS_URL"]
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nobody listens there
    away = install_publisher("donations")
    result = relay_pending("donations", away)
    assert result.broker_unavailable and result.sent == 0
    assert {(r.status, r.attempts) for r in outbox_rows()} == {("pending", 0)}

    monkeypatch.setenv("REDIS_URL", reachable)
    back = install_publisher("donations")
    assert hasattr(back, "batch")
    assert relay_pending("donations", back).sent == 3
    assert {r.status for r in outbox_rows()} == {"sent"}
    for subscriber in subscribers_of("donations.donation_offered"):
        assert [m["headers"]["id"] for m in reversed(queued(redis_client, subscriber))] == [
            f"{e.event_id}:{subscriber}" for e in events]


def test_the_publisher_writes_the_message_celery_itself_would(databases, no_nudge, redis_client):
    """The relay fills in a template Celery made instead of calling `send_task` for every
    message: what lands in the queue must be what `send_task` writes (the same task, ids,
    arguments and delivery properties), or a worker would not run it as the same task."""
    from shared.bus.publisher import _publisher_app, install_publisher

    envelope = {"event_id": str(uuid.uuid4()), "type": "donations.donation_offered", "version": 1,
                "payload": {"title": "Кобзар", "quantity": 2}}
    subscriber = "catalog"
    install_publisher("donations")(subscriber, envelope)
    ours = queued(redis_client, subscriber)
    redis_client.delete(subscriber)
    task_id = f"{envelope['event_id']}:{subscriber}"
    argsrepr = f"({envelope['type']} {envelope['event_id']})"
    _publisher_app("donations").send_task(consume_task_name(subscriber), args=[envelope], task_id=task_id,
                                          queue=subscriber, retry=False, argsrepr=argsrepr, kwargsrepr="{}")
    celerys = queued(redis_client, subscriber)
    assert len(ours) == len(celerys) == 1
    ours, celerys = ours[0], celerys[0]
    assert ours["body"] == celerys["body"]  # base64 of the same JSON: [[envelope], {}, embed]
    assert {k: v for k, v in ours.items() if k not in ("headers", "properties")} == {
        k: v for k, v in celerys.items() if k not in ("headers", "properties")}
    per_process = ("origin",)  # gen<pid>@host: the same process here, but say why it may differ
    assert {k: v for k, v in ours["headers"].items() if k not in per_process} == {
        k: v for k, v in celerys["headers"].items() if k not in per_process}
    per_message = ("delivery_tag", "reply_to")  # a fresh uuid each; the sender thread's id
    # send_task also copies argsrepr/kwargsrepr into the properties, where nobody reads them.
    assert {k: v for k, v in ours["properties"].items() if k not in per_message} == {
        k: v for k, v in celerys["properties"].items() if k not in per_message + ("argsrepr", "kwargsrepr")}
    assert ours["properties"]["delivery_tag"] != celerys["properties"]["delivery_tag"]


def test_a_hung_publish_does_not_stop_other_writers(databases, no_nudge):
    """On SQLite a transaction holds the whole database: the relay must not keep one open while
    a publish hangs (Redis frozen), or every writer of the service waits with it."""
    import time

    with db.session_scope("donations") as session:
        add_event(session, "donations.donation_collected",
                  sample_payload("donations.donation_collected"), producer="donations")
    publishing, release = threading.Event(), threading.Event()

    def hung(subscriber, envelope):
        publishing.set()
        release.wait(20)

    relay = threading.Thread(target=relay_pending, args=("donations", hung))
    relay.start()
    try:
        assert publishing.wait(10)
        started = time.monotonic()
        donation_services.offer_donation(_loaded(offer()))  # a donor's offer, meanwhile
        waited = time.monotonic() - started
    finally:
        release.set()
        relay.join(30)
    assert waited < 2, f"the offer waited {waited:.1f}s for the relay's publish"
    assert outbox_rows()[0].status == "sent"


def test_a_relay_that_died_after_claiming_leaves_rows_that_are_sent_later(databases, no_nudge,
                                                                          monkeypatch):
    """SQLite claims rows in their own transaction: if the process dies before it publishes
    them, they are due again when the claim's lease runs out."""
    from datetime import timedelta

    from shared.outbox import relay as relay_module

    with db.session_scope("donations") as session:
        add_event(session, "donations.donation_collected",
                  sample_payload("donations.donation_collected"), producer="donations")

    def dies(subscriber, envelope):
        raise SystemExit("killed")

    with pytest.raises(SystemExit):
        relay_pending("donations", dies)
    if not db.is_sqlite(db.engine_for("donations")):
        # PostgreSQL claims, publishes and records in one transaction: it rolled back.
        assert outbox_rows()[0].status == "pending"
        return
    assert outbox_rows()[0].status == "sending"
    assert relay_pending("donations", lambda *_: None).sent == 0  # the lease holds
    monkeypatch.setattr(relay_module, "CLAIM_LEASE", timedelta(0))
    _make_due(outbox_rows()[0].event_id)
    assert relay_pending("donations", lambda *_: None).sent == 1
    assert outbox_rows()[0].status == "sent"


def test_concurrent_relays_send_each_event_once(databases, no_nudge):
    with db.session_scope("donations") as session:
        events = [add_event(session, "donations.donation_collected",
                            sample_payload("donations.donation_collected"), producer="donations")
                  for _ in range(60)]
    sent, lock = [], threading.Lock()

    def publish(subscriber, envelope):
        with lock:
            sent.append((subscriber, envelope["event_id"]))

    def run():
        while relay_pending("donations", publish, limit=7).sent:
            pass

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sent) == 60 * 2
    subscribers = subscribers_of("donations.donation_collected")
    assert sorted(sent) == sorted((s, str(e.event_id)) for e in events for s in subscribers)


def test_an_event_nobody_hears_yet_is_kept_and_marked_sent(databases, no_nudge, redis_client):
    assert SUBSCRIPTIONS["catalog.shelf_opened"] == ()
    with db.session_scope("catalog") as session:
        add_event(session, "catalog.shelf_opened", {"centre_code": "8041", "centre_name": "ТСЦ 8041",
                                                     "capacity": 100}, producer="catalog")
    [row] = outbox_rows("catalog")
    assert row.status == "sent" and row.sent_at is not None  # as it was written: nothing to relay
    assert relay_pending("catalog", lambda *_: pytest.fail("nothing to publish")).sent == 0


def _make_due(event_id: uuid.UUID) -> None:
    from sqlalchemy import update

    from shared.models import utcnow

    with db.session_scope("donations") as session:
        session.execute(update(OutboxEvent).where(OutboxEvent.event_id == event_id)
                        .values(next_attempt_at=utcnow()))


def _loaded(body: dict) -> dict:
    from services.donations.schemas import DonationIn

    return DonationIn().load(body)


def test_replay_by_time_range_touches_only_events_in_it(databases, no_nudge, monkeypatch):
    from datetime import timedelta

    from sqlalchemy import update

    from shared.models import utcnow

    with db.session_scope("donations") as session:
        events = [add_event(session, "donations.donation_collected",
                            sample_payload("donations.donation_collected"), producer="donations")
                  for _ in range(3)]
    now = utcnow()
    ages = [timedelta(days=3), timedelta(days=1), timedelta(hours=1)]
    with db.session_scope("donations") as session:
        for event, age in zip(events, ages):
            session.execute(update(OutboxEvent).where(OutboxEvent.event_id == event.event_id)
                            .values(occurred_at=now - age, status="sent"))
    sent = []
    monkeypatch.setattr("shared.outbox.relay._publishers",
                        {"donations": lambda sub, env: sent.append(env["event_id"])})
    marked, delivered = replay_outbox("donations", since=now - timedelta(days=2), until=now - timedelta(hours=2))
    assert marked == 1 and delivered == 1
    assert set(sent) == {str(events[1].event_id)}


def test_events_sent_just_before_the_broker_restarted_go_out_again(databases, no_nudge, redis_client,
                                                                     monkeypatch):
    """A Redis killed between handing a message to a worker and the worker's note that it holds
    it loses the message; on finding the broker restarted, the sweep sends the last minutes'
    events again (consumers absorb the ones that had arrived)."""
    from datetime import timedelta

    from sqlalchemy import update

    from shared.models import utcnow
    from shared.outbox.relay import resend_after_broker_restart

    with db.session_scope("donations") as session:
        recent = add_event(session, "donations.donation_collected", sample_payload("donations.donation_collected"),
                           producer="donations")
        old = add_event(session, "donations.donation_collected", sample_payload("donations.donation_collected"),
                        producer="donations")
    assert relay_pending("donations", lambda *_: None).sent == 2
    with db.session_scope("donations") as session:
        session.execute(update(OutboxEvent).where(OutboxEvent.event_id == old.event_id)
                        .values(sent_at=utcnow() - timedelta(minutes=11)))

    assert resend_after_broker_restart("donations", redis_client) == 0  # the first look
    assert resend_after_broker_restart("donations", redis_client) == 0  # the same broker
    redis_client.set("bookcross:broker:run_id:donations", "a broker before its restart")
    assert resend_after_broker_restart("donations", redis_client) == 1
    assert {r.event_id: r.status for r in outbox_rows()} == {recent.event_id: "pending", old.event_id: "sent"}
    assert resend_after_broker_restart("donations", redis_client) == 0  # once per restart
    sent = []
    assert relay_pending("donations", lambda *args: sent.append(args)).sent == 1
    assert [r.status for r in outbox_rows()] == ["sent", "sent"]


@pytest.mark.parametrize("due", ["nudge", "sweep"])
def test_a_relay_transaction_does_not_wait_for_the_wal_flush(pg_only, redis_client, due):
    """Losing a relay's commit in a crash only sends its events again; its claim itself turns
    synchronous_commit off for its own transaction (rows claimed or not), and for nothing else."""
    from sqlalchemy import text

    from shared.models import utcnow
    from shared.outbox.relay import _claim

    with db.session_scope("donations") as session:
        event = add_event(session, "donations.donation_cancelled",
                          sample_payload("donations.donation_cancelled"), producer="donations")
    for event_ids in ([event.event_id], [uuid.uuid4()]) if due == "nudge" else (None, None):
        with db.engine_for("donations").begin() as connection:
            assert connection.scalar(text("SHOW synchronous_commit")) == "on"
            now = utcnow()
            _claim(connection, now, event_ids, 10, status="sent", until=now)
            assert connection.scalar(text("SHOW synchronous_commit")) == "off"
    with db.session_scope("donations") as session:
        assert session.scalar(text("SHOW synchronous_commit")) == "on"


@pytest.fixture
def web_process():
    """This process behaves as a web server's: it leaves the relaying to the workers."""
    from shared.outbox.relay import relay_in_workers

    relay_in_workers()
    yield
    relay_in_workers(False)


def test_a_web_process_hands_its_events_to_the_workers_listener(databases, redis_client, web_process):
    """A web process only signals; the worker's listener relays every due row (and on a signal
    it comes upon while relaying, relays again)."""
    from shared.outbox.listener import RelayListener, wait_until_listening
    from shared.outbox.relay import relay_channel
    from shared.testing import wait_for

    worker = redis_client.pubsub(ignore_subscribe_messages=True)  # a worker that hears, and waits
    worker.subscribe(relay_channel("donations"))
    assert wait_until_listening("donations")
    first = donation_services.offer_donation(_loaded(offer()))
    assert wait_for_nudges()
    assert wait_for(lambda: worker.get_message(timeout=0.1), timeout=5, message="the signal")
    assert {r.status for r in outbox_rows()} == {"pending"}  # the web itself relayed nothing
    worker.close()

    listener = RelayListener("donations")
    listener.start()
    try:
        wait_for(lambda: {r.status for r in outbox_rows()} == {"sent"}, timeout=10,
                 message="the listener relays what was committed before it listened")
        second = donation_services.offer_donation(_loaded(offer()))
        wait_for(lambda: len(outbox_rows()) == 4 and {r.status for r in outbox_rows()} == {"sent"},
                 timeout=10, message="the listener relays on the signal")
    finally:
        listener.stop()
        listener.join(5)
    assert listener.relayed == 4
    offered = [r.event_id for r in outbox_rows() if r.event_type == "donations.donation_offered"]
    assert len(offered) == 2 and first.donation.id != second.donation.id
    for subscriber in ("catalog", "notifications"):
        queued_ids = {m["headers"]["id"] for m in queued(redis_client, subscriber)}
        assert {f"{event_id}:{subscriber}" for event_id in offered} <= queued_ids


def test_with_no_worker_listening_the_web_process_relays_itself(databases, redis_client, web_process):
    from shared.outbox.relay import relay_channel

    assert redis_client.pubsub_numsub(relay_channel("donations")) == [(relay_channel("donations").encode(), 0)]
    donation_services.offer_donation(_loaded(offer()))
    assert wait_for_nudges()
    assert {r.status for r in outbox_rows()} == {"sent"}
    assert redis_client.llen("catalog") == 1 and redis_client.llen("notifications") == 2
