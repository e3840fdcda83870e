"""bench/bus.py's consumer: the real bus — notifications' consume task made by
`shared.bus.celery_app.make_celery`, its idempotent guard, its retries — with a handler that does
the baseline's durable work and nothing else: it inserts one row (`bench_done`, in notifications'
database, created by `prepare()` before the worker starts). Notifications' periodic tasks are
registered as no-ops, so beat's ticks cost what they cost a real worker to receive."""
from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, Table, Uuid, insert

from services.notifications.beat import ASSISTANT_FORGET_TASK, DELIVER_TASK
from shared.bus.celery_app import make_celery
from shared.models import utcnow

EVENT_TYPE = "donations.pickup_rescheduled"  # notifications is its only subscriber: one hop
DONE = Table("bench_done", MetaData(), Column("id", Uuid, primary_key=True),
             Column("at", DateTime(timezone=True), nullable=False))


def hop(session, event: dict) -> None:
    session.execute(insert(DONE).values(id=event["event_id"], at=utcnow()))


app = make_celery("notifications", {EVENT_TYPE: {"bench_hop": hop}})


@app.task(name=DELIVER_TASK, ignore_result=True, acks_late=False)
def deliver() -> int:
    return 0


@app.task(name=ASSISTANT_FORGET_TASK, ignore_result=True, acks_late=False)
def forget() -> int:
    return 0


def prepare(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    DONE.metadata.create_all(engine)
    engine.dispose()
