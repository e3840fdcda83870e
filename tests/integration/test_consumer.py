"""Idempotent consumers: every handler, fed the same event twice, has one effect."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from services.catalog.handlers import HANDLERS as CATALOG
from services.donations.handlers import HANDLERS as DONATIONS
from services.notifications.handlers import HANDLERS as NOTIFICATIONS
from shared import db
from shared.bus.consumer import consumer_name, dead_letter, handle
from shared.models import DeadLetter, ProcessedEvent
from tests.samples import offer, sample_envelope

SERVICE_HANDLERS = {"catalog": CATALOG, "donations": DONATIONS, "notifications": NOTIFICATIONS}
CASES = [(service, event_type) for service, handlers in SERVICE_HANDLERS.items()
         for event_type in handlers]


def snapshot(service: str) -> dict[str, int]:
    """Row counts of the service's own tables (its effects), bus tables aside."""
    import importlib

    from shared.staff_identity import IdentityBase

    base = importlib.import_module(f"services.{service}.models").Base
    tables = base.metadata.sorted_tables + IdentityBase.metadata.sorted_tables
    with db.session_scope(service) as session:
        return {t.name: session.scalar(select(func.count()).select_from(t)) for t in tables}


def _prepare(service: str, event_type: str):
    """Some handlers act on a donation they own: make one first."""
    if service == "donations":
        from services.donations.schemas import DonationIn
        from services.donations.services import offer_donation

        return offer_donation(DonationIn().load(offer())).donation.id
    if event_type in ("catalog.copies_allocated", "catalog.shipment_dispatched", "catalog.shipment_closed"):
        return _shipment_one()
    return None


def _shipment_one():
    """Allocation 1 and shipment 1 of the samples, with one copy on its way (the reports count it)."""
    import uuid

    from services.catalog.models import Allocation, AllocationItem, Centre, Copy, Shipment, Title

    donation_id = uuid.uuid4()
    with db.session_scope("catalog") as session:
        session.add(Centre(code="6341", name="ТСЦ 6341", region_code="63", oblast="Харківська",
                           settlement="Харків", address="—"))
        session.add(Title(key="t:кобзар|шевченко", title="Кобзар", authors="Шевченко", source="staff"))
        session.add(Allocation(id=1, status="accepted", created_by="test"))
        session.add(Shipment(id=1, centre_code="6341", allocation_id=1, status="in_transit"))
        session.flush()
        session.add(Copy(code="K7QM4ZT9P2", title_key="t:кобзар|шевченко", donation_id=donation_id,
                         condition="good", status="in_transit", destination_code="6341", shipment_id=1))
        session.flush()
        session.add(AllocationItem(allocation_id=1, copy_code="K7QM4ZT9P2", centre_code="6341", reasons="neediest"))
    return donation_id


@pytest.mark.parametrize("service,event_type", CASES)
def test_same_event_twice_has_one_effect(databases, service, event_type, monkeypatch):
    monkeypatch.setattr("shared.outbox.relay._publishers", {})
    envelope = sample_envelope(event_type, _prepare(service, event_type))
    before = snapshot(service)
    first = handle(service, SERVICE_HANDLERS[service], envelope)
    after_first = snapshot(service)
    second = handle(service, SERVICE_HANDLERS[service], envelope)
    assert first.handled and not first.failed
    assert after_first != before, "the handler should have an effect"
    assert second.duplicates == first.handled and not second.handled
    assert snapshot(service) == after_first
    with db.session_scope(service) as session:
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == len(first.handled)


def test_failing_handler_records_nothing_and_can_succeed_later(databases):
    from services.catalog.models import IncomingDonation

    calls = []

    def on_donation_offered(session, event):
        CATALOG["donations.donation_offered"]["on_donation_offered"](session, event)
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("hub database blinked")

    handlers = {"donations.donation_offered": {"on_donation_offered": on_donation_offered}}
    envelope = sample_envelope("donations.donation_offered")
    outcome = handle("catalog", handlers, envelope)
    assert list(outcome.failed) == ["catalog.on_donation_offered"]
    with db.session_scope("catalog") as session:
        assert session.scalar(select(func.count()).select_from(IncomingDonation)) == 0
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 0
    retried = handle("catalog", handlers, envelope)
    assert retried.handled == ["catalog.on_donation_offered"]
    assert snapshot("catalog")["incoming_donations"] == 1


def test_concurrent_redelivery_is_handled_once(pg_only):
    """A redelivery races the first delivery: the second waits on the processed_events
    key while the first runs, then sees it taken. One effect."""
    import time

    from services.catalog.models import IncomingDonation

    entered = threading.Event()

    def on_donation_offered(session, event):
        entered.set()
        time.sleep(0.5)  # the first delivery is mid-handler when the second arrives
        CATALOG["donations.donation_offered"]["on_donation_offered"](session, event)

    handlers = {"donations.donation_offered": {"on_donation_offered": on_donation_offered}}
    envelope = sample_envelope("donations.donation_offered")
    outcomes = []
    first = threading.Thread(target=lambda: outcomes.append(handle("catalog", handlers, envelope)))
    second = threading.Thread(target=lambda: outcomes.append(handle("catalog", handlers, envelope)))
    first.start()
    assert entered.wait(5)
    second.start()
    first.join()
    second.join()
    assert sorted(len(o.handled) for o in outcomes) == [0, 1]
    assert sorted(len(o.duplicates) for o in outcomes) == [0, 1]
    with db.session_scope("catalog") as session:
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 1
        assert session.scalar(select(func.count()).select_from(IncomingDonation)) == 1


def test_invalid_envelope_is_reported_not_raised(databases):
    outcome = handle("catalog", CATALOG, {"type": "donations.donation_offered", "payload": {}})
    assert outcome.invalid


def test_dead_letter_keeps_the_envelope_and_the_reason(databases):
    envelope = sample_envelope("donations.donation_offered")
    dead_letter("catalog", envelope, {"catalog.on_donation_offered": "RuntimeError: boom"})
    with db.session_scope("catalog") as session:
        letter = session.scalar(select(DeadLetter))
        assert letter.envelope == envelope and letter.error == "RuntimeError: boom"
        assert str(letter.event_id) == envelope["event_id"]


def test_consumer_names_are_stable():
    assert consumer_name("catalog", next(iter(CATALOG["donations.donation_offered"]))) == "catalog.on_donation_offered"


def test_offered_and_collected_handled_at_the_same_moment_make_one_hub_record(pg_only):
    """Two workers, two events of one donation, at once: no key conflict, both facts kept."""
    import uuid

    from services.catalog.models import IncomingDonation

    donation_id = uuid.uuid4()
    offered = sample_envelope("donations.donation_offered", donation_id)
    collected = sample_envelope("donations.donation_collected", donation_id)
    barrier = threading.Barrier(2)
    outcomes = []

    def run(envelope):
        barrier.wait(5)
        outcomes.append(handle("catalog", CATALOG, envelope))

    threads = [threading.Thread(target=run, args=(e,)) for e in (offered, collected)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(o.handled and not o.failed for o in outcomes), outcomes
    with db.session_scope("catalog") as session:
        incoming = session.get(IncomingDonation, donation_id)
        assert incoming.donor_kind == "citizen" and incoming.oblast == "Харківська"
        assert incoming.collected_count == 2 and incoming.status == "at_hub"


def test_a_database_that_is_away_is_not_the_events_fault(databases, monkeypatch):
    """Refused connections (PostgreSQL restarting) and SQLite's lock held by another writer mean
    "wait and try again": the outcome says so, and such a try never counts against the event."""
    import sqlite3

    from sqlalchemy.engine import make_url

    from shared.testing.tcpproxy import TcpProxy

    envelope = sample_envelope("donations.donation_offered")
    url = make_url(db.engine_for("catalog").url)
    if db.is_sqlite(url):
        blocker = sqlite3.connect(url.database, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another process is writing
        db.set_sqlite_busy_timeout(0.5)  # as in a Celery pool child: a short wait for the lock
        try:
            db.dispose_all()
            outcome = handle("catalog", CATALOG, envelope)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
            db.set_sqlite_busy_timeout(db.SQLITE_BUSY_DEFAULT)
    else:
        with TcpProxy(url.host, url.port) as proxy:
            proxy.refuse()
            monkeypatch.setenv("CATALOG_DATABASE_URL", url.set(port=proxy.port).render_as_string(False))
            db.dispose_all()
            outcome = handle("catalog", CATALOG, envelope)
        monkeypatch.setenv("CATALOG_DATABASE_URL", url.render_as_string(False))
    db.dispose_all()
    assert outcome.failed and outcome.unavailable, outcome

    # A handler's own failure counts.
    def broken(session, event):
        raise ValueError("a bug")

    assert not handle("catalog", {"donations.donation_offered": {"on_donation_offered": broken}}, envelope).unavailable
    # And once the database is back, the event is handled.
    assert "catalog.on_donation_offered" in handle("catalog", CATALOG, envelope).handled
