"""The notifications Celery app (worker: -Q notifications,notifications.relay).

Besides consuming events, it runs the delivery loop on every beat tick, on the relay queue
(the queue of work that sends things out of the service)."""
import structlog
from billiard.exceptions import SoftTimeLimitExceeded

from services.notifications import delivery
from services.notifications.beat import ASSISTANT_FORGET_TASK, DELIVER_TASK
from services.notifications.handlers import HANDLERS
from shared.bus.celery_app import make_celery
from shared.bus.exclusive import exclusive

log = structlog.get_logger("bookcross.delivery")

app = make_celery("notifications", HANDLERS)


# A tick sends until its budget is spent, plus at most one message (a channel's own timeout,
# 10 s); it is acknowledged on receipt (the work is in the database, the next tick comes), and
# only one runs at a time in the whole network.
TICK_SOFT_LIMIT = delivery.settings().tick_budget + 12
TICK_HARD_LIMIT = TICK_SOFT_LIMIT + 4


@app.task(name=DELIVER_TASK, ignore_result=True, acks_late=False,
          soft_time_limit=TICK_SOFT_LIMIT, time_limit=TICK_HARD_LIMIT)
def deliver() -> int:
    with exclusive("notifications.deliver", TICK_HARD_LIMIT) as mine:
        if not mine:
            return 0
        try:
            result = delivery.deliver_due()
        except SoftTimeLimitExceeded:
            # A send overran even its channel's timeout: that message stays `sending` and is
            # retried after NOTIFY_STALE_SECONDS; nothing else was claimed.
            log.warning("delivery.tick_out_of_time")
            return 0
    if result.prepared or result.sent or result.failed or result.retried or result.dropped:
        log.info("delivery.tick", prepared=result.prepared, sent=result.sent, retried=result.retried,
                 failed=result.failed, fallbacks=result.fallbacks, dropped=result.dropped)
    return result.sent


@app.task(name=ASSISTANT_FORGET_TASK, ignore_result=True, acks_late=False)
def assistant_forget() -> int:
    """Telegram conversations quiet for ASSISTANT_KEEP_DAYS are forgotten (chat id and all)."""
    from services.notifications import assistant_inbox

    return assistant_inbox.forget_quiet()
