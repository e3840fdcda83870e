"""The Celery app of a service: its consume task, its relay task, its publisher."""
from __future__ import annotations

import structlog
from celery import Celery, signals

from shared import config, db
from shared.bus.consumer import Handlers, dead_letter, handle
from shared.bus.settings import celery_settings, retry_countdown
from shared.bus.subscriptions import consume_task_name, relay_task_name
from shared.logging import configure_logging
from shared.outbox.relay import relay_pending, set_publisher

log = structlog.get_logger("bookcross.bus")


def make_celery(service: str, handlers: Handlers) -> Celery:
    app = Celery(f"bookcross.{service}", broker=config.redis_url(), set_as_current=False)
    app.conf.update(celery_settings(default_queue=service))
    publisher_app = _publisher_app(service)

    def publish(subscriber: str, envelope: dict) -> None:
        publisher_app.send_task(
            consume_task_name(subscriber),
            args=[envelope],
            task_id=f"{envelope['event_id']}:{subscriber}",
            queue=subscriber,
            retry=False,  # fail fast: the outbox row stays pending and the sweep retries
            # Celery would otherwise render the whole envelope for its logs on every send.
            argsrepr=f"({envelope['type']} {envelope['event_id']})", kwargsrepr="{}",
        )

    set_publisher(service, publish)
    app.bookcross_publish = publish

    @app.task(name=consume_task_name(service), bind=True, max_retries=None)
    def consume(self, envelope: dict) -> dict:
        outcome = handle(service, handlers, envelope)
        if outcome.invalid:
            dead_letter(service, envelope, {f"{service}.consume": outcome.invalid})
        elif outcome.failed:
            retries = self.request.retries
            if retries >= config.bus_settings().consumer_max_retries:
                dead_letter(service, envelope, outcome.failed)
            else:
                # Handlers that succeeded are recorded; the retry only re-runs the others.
                raise self.retry(countdown=retry_countdown(retries))
        return {"handled": outcome.handled, "duplicates": outcome.duplicates,
                "failed": sorted(outcome.failed)}

    @app.task(name=relay_task_name(service), ignore_result=True)
    def relay() -> int:
        result = relay_pending(service)
        if result.sent or result.failed or result.dead:
            log.info("outbox.sweep", service=service, sent=result.sent,
                     failed=result.failed, dead=result.dead)
        return result.sent

    return app


def _publisher_app(service: str) -> Celery:
    """The relay's own connection to Redis: it gives up at the first refused connection
    instead of kombu's default retry loop (seconds), because the outbox already keeps the
    event safe and the sweep will send it. Workers keep their patient connection."""
    app = Celery(f"bookcross.{service}.publisher", broker=config.redis_url(), set_as_current=False)
    settings = celery_settings(default_queue=service)
    settings["broker_transport_options"] = {**settings["broker_transport_options"], "max_retries": 0}
    app.conf.update(settings)
    return app


@signals.worker_process_init.connect
def _fresh_connections_in_child(**_kwargs) -> None:
    # A forked pool child must not reuse the parent's database sockets.
    db.dispose_all()


@signals.setup_logging.connect
def _logging(**_kwargs) -> None:
    configure_logging()
