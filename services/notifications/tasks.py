"""The notifications Celery app (worker: -Q notifications,notifications.relay).

Besides consuming events, it runs the delivery loop on every beat tick, on the relay queue
(the queue of work that sends things out of the service)."""
import structlog

from services.notifications import delivery
from services.notifications.handlers import HANDLERS
from shared.bus.celery_app import make_celery

DELIVER_TASK = "bookcross.notifications.deliver"
log = structlog.get_logger("bookcross.delivery")

app = make_celery("notifications", HANDLERS)


@app.task(name=DELIVER_TASK, ignore_result=True)
def deliver() -> int:
    result = delivery.deliver_due()
    if result.prepared or result.sent or result.failed or result.retried or result.dropped:
        log.info("delivery.tick", prepared=result.prepared, sent=result.sent, retried=result.retried,
                 failed=result.failed, fallbacks=result.fallbacks, dropped=result.dropped)
    return result.sent
