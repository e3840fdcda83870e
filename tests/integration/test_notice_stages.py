"""A notice's stage is a word; its batch and its occasion are columns. One notice per donation
and stage, per window or failure, per batch; one message per recipient, notice and channel —
and the migration that split the old `stage:data` strings keeps every row and every guarantee."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.notifications.handlers import HANDLERS
from services.notifications.models import Message, Notice
from shared import db
from shared.bus.consumer import handle
from shared.models import utcnow
from tests.samples import sample_envelope

NOON = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)


def notices(donation_id) -> list[tuple]:
    with db.session_scope("notifications") as session:
        return [(n.stage, n.batch, n.occasion_at) for n in session.scalars(
            select(Notice).where(Notice.donation_id == donation_id).order_by(Notice.id))]


def pickup(event_type: str, donation_id, start: datetime):
    envelope = sample_envelope(event_type, donation_id)
    envelope["payload"].update(scheduled_start=start.isoformat(), scheduled_end=(start + timedelta(hours=2)).isoformat())
    envelope["event_id"] = str(uuid.uuid4())  # another event: the guard is the notice's own key
    return envelope


def test_a_window_is_one_notice_whichever_event_tells_it_again(databases):
    d = uuid.uuid4()
    handle("notifications", HANDLERS, pickup("donations.pickup_scheduled", d, NOON))
    handle("notifications", HANDLERS, pickup("donations.pickup_scheduled", d, NOON))  # the same time again
    handle("notifications", HANDLERS, pickup("donations.pickup_scheduled", d, NOON + timedelta(days=1)))
    assert notices(d) == [("pickup_scheduled", 0, NOON), ("pickup_scheduled", 0, NOON + timedelta(days=1))]


def test_each_failure_is_its_own_notice_and_each_stage_once(databases):
    d = uuid.uuid4()
    first = sample_envelope("donations.pickup_failed", d)
    second = sample_envelope("donations.pickup_failed", d)
    second["event_id"], second["occurred_at"] = str(uuid.uuid4()), (NOON + timedelta(days=2)).isoformat()
    offered = sample_envelope("donations.donation_offered", d)
    for envelope in (first, second, offered):
        handle("notifications", HANDLERS, envelope)
    offered_again = {**offered, "event_id": str(uuid.uuid4())}
    handle("notifications", HANDLERS, offered_again)
    stages = notices(d)
    assert [s for s, _, _ in stages] == ["pickup_failed", "pickup_failed", "offered"]
    assert stages[1][2] == NOON + timedelta(days=2) and stages[2][1:] == (0, None)


def test_the_table_refuses_a_second_notice_of_the_same_stage_batch_or_occasion(databases):
    d = uuid.uuid4()
    rows = [{"stage": "collected"}, {"stage": "on_shelves", "batch": 1}, {"stage": "on_shelves", "batch": 2},
            {"stage": "pickup_failed", "occasion_at": NOON}]
    with db.session_scope("notifications") as session:
        for row in rows:
            session.add(Notice(donation_id=d, details={}, status="pending", **row))
    for row in rows:
        with pytest.raises(IntegrityError):
            with db.session_scope("notifications") as session:
                session.add(Notice(donation_id=d, details={}, status="pending", **row))
    with db.session_scope("notifications") as session:
        notice = session.scalar(select(Notice).where(Notice.donation_id == d, Notice.stage == "collected"))
        values = {"notice_id": notice.id, "donation_id": d, "stage": "collected", "channel": "email",
                  "recipient_hash": "h", "status": "pending", "attempts": 0, "next_attempt_at": utcnow()}
        assert db.insert_ignoring_duplicates(session, Message.__table__, values)
        assert not db.insert_ignoring_duplicates(session, Message.__table__, values)
        assert db.insert_ignoring_duplicates(session, Message.__table__, {**values, "channel": "sms"})


def test_the_migration_splits_the_old_stage_strings(migrated_to_0008):
    """Rows written before: their stage split into stage, batch and occasion; their messages'
    stage is their notice's; the guarantees hold on the data as it was."""
    from shared.migrate import upgrade

    url, engine = migrated_to_0008
    d = uuid.uuid4()
    failed_at = "2026-11-28T10:00:00+00:00"
    window = "2026-11-30T07:00:00+00:00"
    old = ["offered", "on_shelves:1", "on_shelves:2", f"pickup_failed:{failed_at}", f"pickup_scheduled:{window}"]
    notices_before = sa.table("notices", sa.column("id"), sa.column("donation_id", sa.Uuid()), sa.column("stage"),
                            sa.column("details", sa.JSON()), sa.column("status"), sa.column("created_at", sa.DateTime(True)),
                            sa.column("send_after", sa.DateTime(True)))
    messages_before = sa.table("messages", sa.column("notice_id"), sa.column("donation_id", sa.Uuid()), sa.column("stage"),
                             sa.column("channel"), sa.column("recipient_hash"), sa.column("status"),
                             sa.column("attempts"), sa.column("next_attempt_at", sa.DateTime(True)),
                             sa.column("created_at", sa.DateTime(True)))
    now = datetime.now(timezone.utc)
    with engine.begin() as connection:
        for i, stage in enumerate(old, start=1):
            connection.execute(notices_before.insert().values(id=i, donation_id=d, stage=stage, details={}, status="done",
                                                            created_at=now, send_after=now))
            connection.execute(messages_before.insert().values(notice_id=i, donation_id=d, stage=stage, channel="email",
                                                             recipient_hash="h", status="sent", attempts=1,
                                                             next_attempt_at=now, created_at=now))
    upgrade("notifications", url)
    with db.session_scope("notifications") as session:
        assert [(n.stage, n.batch, n.occasion_at) for n in session.scalars(select(Notice).order_by(Notice.id))] == [
            ("offered", 0, None), ("on_shelves", 1, None), ("on_shelves", 2, None),
            ("pickup_failed", 0, datetime.fromisoformat(failed_at)),
            ("pickup_scheduled", 0, datetime.fromisoformat(window))]
        assert [m.stage for m in session.scalars(select(Message).order_by(Message.id))] == [
            "offered", "on_shelves", "on_shelves", "pickup_failed", "pickup_scheduled"]
    # The next batch of the same donation is number 3, and the same window is not told twice.
    handle("notifications", HANDLERS, pickup("donations.pickup_scheduled", d, datetime.fromisoformat(window)))
    with db.session_scope("notifications") as session:
        assert session.scalar(select(func.count()).select_from(Notice)) == len(old)


@pytest.fixture(params=["postgresql", "sqlite"])
def migrated_to_0008(request, tmp_path, monkeypatch):
    """A notifications database at the revision before the split, 0008 (PostgreSQL and SQLite)."""
    from shared.migrate import upgrade
    from shared.testing import postgres

    if request.param == "postgresql":
        admin = request.getfixturevalue("pg_admin_url")
        url = postgres.create_database(admin)
        request.addfinalizer(lambda: postgres.drop_database(admin, url))
    else:
        url = f"sqlite:///{tmp_path / 'notifications.db'}"
    upgrade("notifications", url, revision="0008")
    monkeypatch.setenv("NOTIFICATIONS_DATABASE_URL", url)
    db.dispose_all()
    engine = db.make_engine(url)
    yield url, engine
    engine.dispose()
    db.dispose_all()
