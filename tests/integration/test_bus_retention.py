"""The bus's tables are pruned past the replay window, and idempotency holds inside it."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from services.catalog.handlers import HANDLERS as CATALOG
from shared import db
from shared.bus.consumer import dead_letter, handle
from shared.bus.retention import prune
from shared.models import DeadLetter, OutboxEvent, ProcessedEvent, utcnow
from shared.outbox import add_event
from tests.samples import sample_envelope, sample_payload


def count(service, model, *where) -> int:
    with db.session_scope(service) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_idempotency_holds_inside_the_window_and_old_rows_go(databases, monkeypatch):
    monkeypatch.setattr("shared.outbox.relay._publishers", {})
    monkeypatch.setenv("BUS_RETENTION_DAYS", "14")
    envelope = sample_envelope("donations.donation_offered")
    first = handle("catalog", CATALOG, envelope).handled
    assert "catalog.on_donation_offered" in first
    now = utcnow()
    # Thirteen days on: the id is kept, and a redelivery is still recognised.
    prune("catalog", now + timedelta(days=13))
    assert handle("catalog", CATALOG, envelope).duplicates == first
    # Past the window: the processed ids are gone.
    assert prune("catalog", now + timedelta(days=15)).processed == len(first)
    assert count("catalog", ProcessedEvent) == 0


def test_only_rows_nobody_waits_for_are_pruned(databases, monkeypatch):
    monkeypatch.setattr("shared.outbox.relay._publishers", {})
    with db.session_scope("donations") as session:
        sent, pending, dead = (add_event(session, "donations.donation_collected",
                                         sample_payload("donations.donation_collected"), producer="donations")
                               for _ in range(3))
    old = utcnow() - timedelta(days=30)
    with db.session_scope("donations") as session:
        for event, status in ((sent, "sent"), (pending, "pending"), (dead, "dead")):
            session.execute(update(OutboxEvent).where(OutboxEvent.event_id == event.event_id)
                            .values(status=status, occurred_at=old))
    envelope = sample_envelope("donations.donation_offered")
    dead_letter("donations", envelope, {"donations.x": "boom"})
    dead_letter("donations", sample_envelope("donations.donation_offered"), {"donations.x": "boom"})
    with db.session_scope("donations") as session:
        first, second = session.scalars(select(DeadLetter).order_by(DeadLetter.id)).all()
        first.replayed_at = first.failed_at = old  # replayed long ago
        second.failed_at = old                     # nobody has looked at it yet
    pruned = prune("donations")
    assert (pruned.outbox, pruned.dead_letters) == (1, 1)
    assert count("donations", OutboxEvent, OutboxEvent.event_id == sent.event_id) == 0
    assert count("donations", OutboxEvent, OutboxEvent.event_id.in_([pending.event_id, dead.event_id])) == 2
    assert count("donations", DeadLetter, DeadLetter.replayed_at.is_(None)) == 1
